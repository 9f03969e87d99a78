using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sas.Api.Fhir;

/// <summary>
/// Decides whether a client certificate is the SAS platform's, as the ANS mTLS specification asks: it
/// chains to one of the configured CAs (IGC-Santé, not the machine's store), is valid now, is meant for
/// client authentication, and its subject CN and OU are among those allowed. Nothing is trusted when
/// no CA is configured.
/// </summary>
public sealed class PlatformCertificates
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationalUnitOid = "2.5.4.11";

    private readonly MtlsOptions options;
    private readonly TimeProvider clock;
    private readonly X509Certificate2Collection trusted = [];

    public PlatformCertificates(FhirOptions fhir, TimeProvider clock)
    {
        options = fhir.Mtls;
        this.clock = clock;
        foreach (var file in options.TrustedCaFiles) trusted.ImportFromPemFile(file);
    }

    public sealed record Verdict(bool Accepted, string Reason, string? CommonName);

    public Verdict Check(X509Certificate2 certificate)
    {
        if (trusted.Count == 0) return new Verdict(false, "no trusted CA is configured (Fhir:Mtls:TrustedCaFiles)", null);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.ExtraStore.AddRange(trusted); // intermediates may be configured beside the root
        chain.ChainPolicy.RevocationMode = options.CheckRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = clock.GetLocalNow().DateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (!chain.Build(certificate))
        {
            var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
            return new Verdict(false, $"the certificate does not chain to a trusted CA ({status})", null);
        }

        var cn = SubjectValues(certificate, CommonNameOid).FirstOrDefault();
        if (cn is null || !options.AllowedCommonNames.Contains(cn, StringComparer.OrdinalIgnoreCase))
            return new Verdict(false, "the certificate's CN is not an allowed SAS platform name", cn);
        if (!SubjectValues(certificate, OrganizationalUnitOid).Any(ou => options.AllowedOrganizationalUnits.Contains(ou, StringComparer.Ordinal)))
            return new Verdict(false, "the certificate's OU is not allowed", cn);
        return new Verdict(true, "accepted", cn);
    }

    private static IEnumerable<string> SubjectValues(X509Certificate2 certificate, string oid) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == oid)
            .Select(rdn => rdn.GetSingleElementValue())
            .OfType<string>();
}
