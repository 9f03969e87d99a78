using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Notifications;

namespace Sas.Api.Fhir;

public static class FhirSetup
{
    public const string Policy = "sas_platform";

    public static WebApplicationBuilder AddSasFhir(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Fhir").Get<FhirOptions>() ?? new FhirOptions());
        services.AddSingleton<SlotBundleBuilder>();
        services.AddSingleton<FhirResourceCache>();
        services.AddHostedService<FhirWarmUp>();
        services.AddSingleton<AppointmentSender>();
        services.AddSingleton<Regulators.RegulatorStore>();
        DeliveryClient.AddDeliveryClient(services, AppointmentSender.HttpClientName, sp =>
        {
            // The platform authenticates editors by their IGC-Santé certificate too.
            var platform = sp.GetRequiredService<FhirOptions>().SasPlatform;
            var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
            if (!string.IsNullOrWhiteSpace(platform.ClientCertificateFile))
                handler.SslOptions.ClientCertificates =
                [
                    System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(platform.ClientCertificateFile, platform.ClientCertificatePassword),
                ];
            return handler;
        });

        services.AddPlatformCertificates();
        // The certificate handler logs a warning per refused certificate: a scanner or a misconfigured client would
        // flood the logs. Refusals are counted instead (sas.fhir.certificates.refused, by reason).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication.Certificate", LogLevel.Error);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(PlatformCertificates.SchemeName, AuthSetup.Selector)
            .RequireAssertion(ctx => ctx.User.Identities.Any(identity =>
                // The platform's role only as the certificate handler gave it, never as a token or anything else claims it.
                (identity.AuthenticationType == PlatformCertificates.SchemeName && identity.HasClaim(SasClaims.Role, PlatformCertificates.Role))
                || (identity.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName && identity.HasClaim(SasClaims.Role, Roles.Admin)
                    && ctx.Resource is HttpContext http && http.RequestServices.GetRequiredService<FhirOptions>().AllowApiKeys))));

        // Ask TLS clients for a certificate (without requiring one: other routes use API keys). Kestrel must not
        // judge it against the machine's store; the certificate handler does, against the configured CAs only.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var mtls = context.Configuration.GetSection("Fhir:Mtls").Get<MtlsOptions>() ?? new MtlsOptions();
            if (!mtls.Enabled) return;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            });
        });
        var forwarded = builder.Configuration["Fhir:Mtls:ForwardedCertificateHeader"];
        if (!string.IsNullOrWhiteSpace(forwarded)) services.AddCertificateForwarding(o => o.CertificateHeader = forwarded);
        return builder;
    }

    public static WebApplication UseSasFhirCertificateForwarding(this WebApplication app)
    {
        var mtls = app.Services.GetRequiredService<FhirOptions>().Mtls;
        if (string.IsNullOrWhiteSpace(mtls.ForwardedCertificateHeader)) return app;
        var header = mtls.ForwardedCertificateHeader;
        var proxies = app.Services.GetRequiredService<Infrastructure.Security.ProxyOptions>();
        app.Use((http, next) =>
        {
            // Only a known proxy vouches for a client certificate, judged by the TCP peer: the caller's address as a
            // forwarded-headers step leaves it comes from X-Forwarded-For, which anyone writes. Anyone else's header is
            // dropped before it is read.
            if (!proxies.IsProxy(Infrastructure.Security.TcpPeerFeature.Of(http))) http.Request.Headers.Remove(header);
            // The proxy that forwards a client certificate terminated TLS for it: the client's request was https
            // (the certificate handler looks at client certificates of https requests only).
            else if (http.Request.Headers.ContainsKey(header)) http.Request.Scheme = Uri.UriSchemeHttps;
            return next(http);
        });
        app.UseCertificateForwarding();
        return app;
    }
}
