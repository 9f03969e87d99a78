namespace Sas.Api.Fhir;

/// <summary>Section <c>Fhir</c>: the ANS SAS interface (slot aggregation in, appointments out).</summary>
public sealed class FhirOptions
{
    public const string Section = "Fhir";

    /// <summary>
    /// The identifier system of our practice sites (the Location's internal identifier): the editor's OID or URL
    /// as registered with the ANS. Production refuses to start with the placeholder while the platform's mTLS is on.
    /// </summary>
    public string SiteIdentifierSystem { get; set; } = PlaceholderSystemPrefix + "site";

    /// <summary>The default identifier systems start with this: fine for a demo, refused in Production.</summary>
    public const string PlaceholderSystemPrefix = "urn:sas-booking-api:";

    /// <summary>How this API is reached from outside, when a proxy changes scheme or host.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Search dates sent without an offset are read in this zone (the platform works in Paris time).</summary>
    public string DefaultTimeZone { get; set; } = Sas.Domain.Time.Zones.Mainland;

    /// <summary>
    /// Also let an admin API key call <c>/fhir</c>, for a local demo or a gateway that already checked the
    /// certificate. Off by default: in production only the platform's certificate opens these routes.
    /// </summary>
    public bool AllowApiKeys { get; set; }

    public MtlsOptions Mtls { get; set; } = new();

    public SasPlatformOptions SasPlatform { get; set; } = new();
}

/// <summary>Section <c>Fhir:Mtls</c>: which client certificates are the SAS platform's.</summary>
public sealed class MtlsOptions
{
    /// <summary>
    /// PEM files of the CAs a client certificate must chain to: IGC-Santé's roots (self-signed: the only trust anchors)
    /// and its intermediates (used to build the chain, never trusted on their own).
    /// </summary>
    public string[] TrustedCaFiles { get; set; } = [];

    /// <summary>The certificate's subject CN must be one of these (the SAS platform's server names).</summary>
    public string[] AllowedCommonNames { get; set; } = [];

    /// <summary>The certificate's subject OU must be one of these.</summary>
    public string[] AllowedOrganizationalUnits { get; set; } = [];

    /// <summary>
    /// Check revocation online (CRL/OCSP of IGC-Santé; needs the network to reach them). On in Production unless set
    /// to false, off elsewhere unless set to true.
    /// </summary>
    public bool? CheckRevocation { get; set; }

    /// <summary>
    /// Behind a TLS-terminating proxy: the header in which it forwards the client certificate (PEM or base64 DER). Read
    /// only from the proxies of <c>ForwardedHeaders:KnownProxies</c>/<c>KnownNetworks</c>, judged by the TCP peer; from
    /// anyone else it is dropped (the platform's certificate is public). Production refuses it without known proxies.
    /// </summary>
    public string? ForwardedCertificateHeader { get; set; }

    public bool Enabled => TrustedCaFiles.Length > 0;
}

/// <summary>Section <c>Fhir:SasPlatform</c>: where appointments booked by SAS regulators are sent (flow INT_R03).</summary>
public sealed class SasPlatformOptions
{
    /// <summary>The platform's FHIR base URL; empty means appointments are not sent.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>This editor's client certificate for the platform's mutual TLS (PKCS#12 file and its password).</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientCertificatePassword { get; set; }

    /// <summary>
    /// The identifier system of our appointments (the editor's OID or URL, as registered with the ANS). Production
    /// refuses to start with the placeholder while appointments are sent.
    /// </summary>
    public string AppointmentIdentifierSystem { get; set; } = FhirOptions.PlaceholderSystemPrefix + "booking";

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);

    /// <summary>
    /// Where the platform's regulators book in the console (départements or sector codes, as a regulator client's scope):
    /// the SAS this deployment serves. None by default: a regulator sent by the platform then sees no GP's agenda.
    /// </summary>
    public string[] RegulatorScope { get; set; } = [];
}
