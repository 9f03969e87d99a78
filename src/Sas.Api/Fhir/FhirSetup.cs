using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Security;
using Sas.Api.Notifications;

namespace Sas.Api.Fhir;

public static class FhirSetup
{
    public const string Policy = "sas_platform";
    public const string Path = "/fhir";

    public static WebApplicationBuilder AddSasFhir(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        AddFhirOptions(services);
        // Under /fhir, errors and refusals are OperationOutcomes: the problem writer goes before every other one, the
        // framework's default included.
        services.Insert(0, ServiceDescriptor.Singleton<Microsoft.AspNetCore.Http.IProblemDetailsWriter, FhirProblemWriter>());
        services.AddSingleton<IRefusalWriter, FhirRefusalWriter>();
        services.AddSingleton<IHeaderPolicy>(new DataHeaderPolicy(Path));
        services.AddSingleton<SlotBundleBuilder>();
        services.AddSingleton<BookableSlots>();
        services.AddSingleton<FhirEntryCache>();
        services.AddWarmUp<FhirWarmUp>();
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

    private static void AddFhirOptions(IServiceCollection services)
    {
        static bool Placeholder(string system) => system.StartsWith(FhirOptions.PlaceholderSystemPrefix, StringComparison.Ordinal);
        services.AddValidatedOptions<FhirOptions>(FhirOptions.Section)
            // Renamed: a deployment still naming its proxies under the old key would silently lose its certificate forwarding.
            .Validate<IConfiguration>((_, config) => !config.GetSection("Fhir:Mtls:TrustedProxies").Exists(),
                "Fhir:Mtls:TrustedProxies is replaced by ForwardedHeaders:KnownProxies (or KnownNetworks): move the proxies' addresses there.")
            // Removed: Slot.comment is always the GP's agenda in this service's console (a booking made in an outside
            // agenda would not come back here, and a regulator could book the same slot twice).
            .Validate<IConfiguration>((_, config) => string.IsNullOrEmpty(config["Fhir:BookingLinkTemplate"]),
                "Fhir:BookingLinkTemplate was removed: Slot.comment is the GP's agenda in the console, at Console:PublicBaseUrl.")
            .Validate(o => o.Mtls.TrustedCaFiles.All(File.Exists), "Fhir:Mtls:TrustedCaFiles names a file that does not exist.")
            .Validate(o => string.IsNullOrEmpty(o.PublicBaseUrl) || Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out _), "Fhir:PublicBaseUrl must be an absolute URL.")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.DefaultTimeZone, out _), "Fhir:DefaultTimeZone is not a known time zone.")
            // The identifier systems name us to the national platform: a placeholder would mix our ids with any other editor's.
            .ValidateInProduction(o => !o.SasPlatform.Enabled || !Placeholder(o.SasPlatform.AppointmentIdentifierSystem),
                "Fhir:SasPlatform:AppointmentIdentifierSystem is the placeholder: set the editor's OID or URL registered with the ANS.")
            .ValidateInProduction(o => !o.SasPlatform.Enabled || o.SasPlatform.RegulatorScope.Any(s => !string.IsNullOrWhiteSpace(s)),
                "Fhir:SasPlatform:RegulatorScope is empty while the SAS platform is configured: its regulators would find no GP's agenda open to them; set the départements or sectors this SAS serves.")
            .ValidateInProduction(o => !o.Mtls.Enabled || !Placeholder(o.SiteIdentifierSystem),
                "Fhir:SiteIdentifierSystem is the placeholder: set the editor's OID or URL registered with the ANS.")
            .ValidateInProduction(o => !o.Mtls.Enabled || (o.Mtls.AllowedCommonNames.Length > 0 && o.Mtls.AllowedOrganizationalUnits.Length > 0),
                "Fhir:Mtls:TrustedCaFiles is set but AllowedCommonNames or AllowedOrganizationalUnits is empty: the SAS platform could never connect.")
            .Validate<ProxyOptions, IHostEnvironment>((o, proxies, env) => !env.IsProduction() || string.IsNullOrWhiteSpace(o.Mtls.ForwardedCertificateHeader) || proxies.Any,
                "Fhir:Mtls:ForwardedCertificateHeader is set but ForwardedHeaders:KnownProxies and KnownNetworks are empty: anyone could send the platform's certificate in that header.");
    }

    public static WebApplication UseSasFhirCertificateForwarding(this WebApplication app)
    {
        var mtls = app.Services.GetRequiredService<FhirOptions>().Mtls;
        if (string.IsNullOrWhiteSpace(mtls.ForwardedCertificateHeader)) return app;
        var header = mtls.ForwardedCertificateHeader;
        var proxies = app.Services.GetRequiredService<ProxyOptions>();
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
