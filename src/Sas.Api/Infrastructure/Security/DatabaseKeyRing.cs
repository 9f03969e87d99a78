using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Infrastructure.Security;

/// <summary>
/// Section <c>DataProtection</c>: how the key ring (the keys behind the console's cookies and antiforgery tokens) is
/// encrypted in the database. Production refuses to start without a certificate: the table would otherwise hold the
/// keys in clear, and anyone reading a backup could forge a session.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 file with a certificate and its private key, the same on every node.</summary>
    public string? CertificateFile { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Earlier certificates, kept while keys they encrypted are still in the ring (a rotation).</summary>
    public string[] PreviousCertificateFiles { get; set; } = [];
}

/// <summary>
/// ASP.NET Core Data Protection's key ring in the service's own database (<c>data_protection_keys</c>), so that every
/// node reads a cookie or an antiforgery token another node made: with a key ring per node, a person sent to another
/// node by the load balancer was signed out and their forms failed.
/// </summary>
public sealed class DatabaseKeyRing(Db db, TimeProvider clock) : IXmlRepository
{
    public sealed class Sql
    {
        public string All => "SELECT xml FROM data_protection_keys ORDER BY created_at, name";
        public string Insert => "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now)";
    }

    private readonly Sql sql = new();

    // Data Protection calls these synchronously, at start-up and when it refreshes its ring (rarely), never per request.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var c = db.OpenAsync().GetAwaiter().GetResult();
        return c.Query<string>(sql.All).Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // Names are the keys' ids: two nodes creating a key at once store two keys, and both are in the ring.
        db.ExecuteAsync(sql.Insert, new { name = friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = clock.GetUtcNow().UtcDateTime }, default)
            .GetAwaiter().GetResult();
    }
}

public static class KeyRingSetup
{
    public static IServiceCollection AddSasKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<KeyRingOptions>(KeyRingOptions.Section)
            .Validate(o => o.CertificateFile is null || File.Exists(o.CertificateFile), "DataProtection:CertificateFile names a file that does not exist.")
            .ValidateInProduction(o => !string.IsNullOrWhiteSpace(o.CertificateFile),
                "DataProtection:CertificateFile is not set: the key ring behind the console's sessions would be stored in clear in the database.");
        services.AddSingleton<DatabaseKeyRing>();
        var protection = services.AddDataProtection().SetApplicationName("sas-booking-api");
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseKeyRing>((o, ring) => o.XmlRepository = ring);
        var settings = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (settings.CertificateFile is { Length: > 0 } file && File.Exists(file))
        {
            var current = X509CertificateLoader.LoadPkcs12FromFile(file, settings.CertificatePassword);
            protection.ProtectKeysWithCertificate(current);
            protection.UnprotectKeysWithAnyCertificate([current, .. settings.PreviousCertificateFiles.Select(f => X509CertificateLoader.LoadPkcs12FromFile(f, settings.CertificatePassword))]);
        }
        return services;
    }
}
