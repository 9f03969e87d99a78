using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication.Certificate;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Fhir;

/// <summary>
/// The SAS platform's client certificate, checked as the ANS mTLS specification asks, by ASP.NET Core's certificate
/// authentication: it chains to a configured IGC-Santé root (roots are the only trust anchors; intermediates only
/// help build the chain), is valid now, is meant for client authentication, is not revoked (checked online in
/// Production), and its subject CN and OU are among those allowed. Nothing is trusted when no CA is configured.
/// A validated certificate is cached for a few minutes, so a keep-alive-less client does not cost a chain build per request.
/// </summary>
public static class PlatformCertificates
{
    public const string SchemeName = "SasPlatformCertificate";
    public const string Role = "sas_platform";
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationalUnitOid = "2.5.4.11";

    public static void AddPlatformCertificates(this IServiceCollection services)
    {
        services.AddAuthentication().AddCertificate(SchemeName, _ => { }).AddCertificateCache(o =>
        {
            o.CacheSize = 256;
            o.CacheEntryExpiration = TimeSpan.FromMinutes(5);
        });
        services.AddOptions<CertificateAuthenticationOptions>(SchemeName).Configure<FhirOptions, IHostEnvironment>((o, fhir, env) =>
        {
            var mtls = fhir.Mtls;
            var (roots, intermediates) = Split(mtls.TrustedCaFiles);
            o.AllowedCertificateTypes = CertificateTypes.Chained;
            o.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
            o.CustomTrustStore = roots;
            o.AdditionalChainCertificates = intermediates;
            o.RevocationMode = mtls.CheckRevocation ?? env.IsProduction() ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
            o.RevocationFlag = X509RevocationFlag.ExcludeRoot;
            o.ValidateCertificateUse = true;
            o.ValidateValidityPeriod = true;
            o.Events = new CertificateAuthenticationEvents { OnCertificateValidated = ctx => CheckSubject(ctx, mtls) };
        });
    }

    /// <summary>
    /// The configured CA files split into trust anchors (self-signed roots) and intermediates. An intermediate in the
    /// trust store would itself be an anchor: anything it signed would pass even if its root had revoked it.
    /// </summary>
    public static (X509Certificate2Collection Roots, X509Certificate2Collection Intermediates) Split(IEnumerable<string> pemFiles)
    {
        var all = new X509Certificate2Collection();
        foreach (var file in pemFiles) all.ImportFromPemFile(file);
        var roots = new X509Certificate2Collection();
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
            (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? roots : intermediates).Add(certificate);
        return (roots, intermediates);
    }

    /// <summary>After the chain: the subject must be the platform's (CN) and its organisational unit allowed (OU).</summary>
    private static Task CheckSubject(CertificateValidatedContext ctx, MtlsOptions mtls)
    {
        var certificate = ctx.ClientCertificate;
        var cn = SubjectValues(certificate, CommonNameOid).FirstOrDefault();
        if (cn is null || !mtls.AllowedCommonNames.Contains(cn, StringComparer.OrdinalIgnoreCase))
            ctx.Fail("the certificate's CN is not an allowed SAS platform name");
        else if (!SubjectValues(certificate, OrganizationalUnitOid).Any(ou => mtls.AllowedOrganizationalUnits.Contains(ou, StringComparer.Ordinal)))
            ctx.Fail("the certificate's OU is not allowed");
        else
        {
            ctx.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(SasClaims.ClientId, "sas-platform:" + cn), new Claim(SasClaims.Role, Role)],
                SchemeName, SasClaims.ClientId, SasClaims.Role));
            ctx.Success();
        }
        return Task.CompletedTask;
    }

    private static IEnumerable<string> SubjectValues(X509Certificate2 certificate, string oid) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == oid)
            .Select(rdn => rdn.GetSingleElementValue())
            .OfType<string>();
}
