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
        services.AddSingleton<FhirSlotStore>();
        services.AddSingleton<SlotBundleBuilder>();
        services.AddSingleton<FhirResourceCache>();
        services.AddHostedService<FhirWarmUp>();
        services.AddSingleton<PlatformCertificates>();
        services.AddSingleton<AppointmentSender>();
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

        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ClientCertificateAuthenticationHandler>(ClientCertificateAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(ClientCertificateAuthenticationHandler.SchemeName, AuthSetup.Selector)
            .RequireAssertion(ctx =>
                ctx.User.HasClaim(SasClaims.Role, ClientCertificateAuthenticationHandler.Role)
                || (ctx.User.HasClaim(SasClaims.Role, Roles.Admin)
                    && ctx.Resource is HttpContext http && http.RequestServices.GetRequiredService<FhirOptions>().AllowApiKeys)));

        // Ask TLS clients for a certificate (without requiring one: other routes use API keys). Kestrel must not
        // judge it against the machine's store; PlatformCertificates does, against the configured CAs only.
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
        var proxies = mtls.TrustedProxies.Select(p => System.Net.IPAddress.Parse(p.Trim())).ToArray();
        app.Use((http, next) =>
        {
            // Only a configured proxy vouches for a client certificate; anyone else's header is dropped before it is read.
            var from = http.Connection.RemoteIpAddress;
            if (from is null || !proxies.Any(p => p.Equals(from.IsIPv4MappedToIPv6 ? from.MapToIPv4() : from))) http.Request.Headers.Remove(header);
            return next(http);
        });
        app.UseCertificateForwarding();
        return app;
    }
}
