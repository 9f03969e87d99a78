using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A certificate for <c>DataProtection:CertificateFile</c> (the key ring's encryption at rest), which Production
/// requires: one PKCS#12 file per test run, RSA as XML encryption needs.
/// </summary>
public static class KeyRingCertificate
{
    public const string Password = "key-ring-test-password";

    private static readonly Lazy<string> file = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=SAS key ring (tests)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        var path = Path.Combine(Path.GetTempPath(), $"sas-test-keyring-{Guid.NewGuid():N}.pfx");
        System.IO.File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    });

    public static string File => file.Value;

    /// <summary>The two settings that name it.</summary>
    public static (string Key, string Value)[] Settings => [("DataProtection:CertificateFile", File), ("DataProtection:CertificatePassword", Password)];
}
