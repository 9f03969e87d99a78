using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A private PKI for the mutual-TLS tests, standing in for IGC-Santé: a root CA, client certificates it
/// signs (the SAS platform's, one with another OU), a rogue CA's look-alike, and a TLS server certificate.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string PlatformCn = "sas.sante.fr";
    public const string PlatformOu = "SAS Platform";

    private static readonly DateTimeOffset NotBefore = SasApiFactory.Start.AddDays(-30);
    private static readonly DateTimeOffset NotAfter = SasApiFactory.Start.AddDays(365);

    public X509Certificate2 Ca { get; }
    public X509Certificate2 Platform { get; }
    public X509Certificate2 WrongOu { get; }
    public X509Certificate2 Rogue { get; }
    public X509Certificate2 Server { get; }
    /// <summary>An issuing CA under the root, as IGC-Santé's are, and a platform certificate it issued.</summary>
    public X509Certificate2 Intermediate { get; }
    public X509Certificate2 ViaIntermediate { get; }
    public string IntermediatePemFile { get; } = Path.Combine(Path.GetTempPath(), $"sas-test-intermediate-{Guid.NewGuid():N}.pem");
    public string CaPemFile { get; } = Path.Combine(Path.GetTempPath(), $"sas-test-ca-{Guid.NewGuid():N}.pem");

    public TestCertificates()
    {
        Ca = NewCa("CN=Test IGC-Sante Racine, O=Test, C=FR");
        using var rogueCa = NewCa("CN=Test IGC-Sante Racine, O=Test, C=FR"); // same name, another key
        Platform = NewClient(Ca, $"CN={PlatformCn}, OU={PlatformOu}, O=ANS, C=FR");
        WrongOu = NewClient(Ca, $"CN={PlatformCn}, OU=Somebody Else, O=ANS, C=FR");
        Rogue = NewClient(rogueCa, $"CN={PlatformCn}, OU={PlatformOu}, O=ANS, C=FR");
        Server = NewServer();
        Intermediate = NewIntermediate(Ca, "CN=Test IGC-Sante Personnes Morales, O=Test, C=FR");
        ViaIntermediate = NewClient(Intermediate, $"CN={PlatformCn}, OU={PlatformOu}, O=ANS, C=FR");
        File.WriteAllText(CaPemFile, Ca.ExportCertificatePem());
        File.WriteAllText(IntermediatePemFile, Intermediate.ExportCertificatePem());
    }

    private static X509Certificate2 NewCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return Exportable(request.CreateSelfSigned(NotBefore, NotAfter));
    }

    private static X509Certificate2 NewIntermediate(X509Certificate2 issuer, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var cert = request.Create(issuer, NotBefore.AddHours(1), NotAfter.AddHours(-1), RandomNumberGenerator.GetBytes(8));
        return Exportable(cert.CopyWithPrivateKey(key));
    }

    private static X509Certificate2 NewClient(X509Certificate2 issuer, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var cert = request.Create(issuer, NotBefore.AddDays(1), NotAfter.AddDays(-1), RandomNumberGenerator.GetBytes(8));
        return Exportable(cert.CopyWithPrivateKey(key));
    }

    private static X509Certificate2 NewServer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return Exportable(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
    }

    /// <summary>Through PKCS#12, so the private key is usable by SslStream on every platform.</summary>
    private static X509Certificate2 Exportable(X509Certificate2 cert)
    {
        using (cert) return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        foreach (var c in new[] { Ca, Platform, WrongOu, Rogue, Server, Intermediate, ViaIntermediate }) c.Dispose();
        foreach (var file in new[] { CaPemFile, IntermediatePemFile })
            try { File.Delete(file); } catch (IOException) { /* temp folder */ }
    }
}
