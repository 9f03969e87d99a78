using System.Security.Cryptography;
using System.Text;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>
/// Client ids as stored (bookings, audit, idempotency keys, webhooks): at most <see cref="MaxLength"/> characters, the
/// width of every client-id column on every engine. API-key clients have GUIDs (36). A JWT caller's id is
/// <c>jwt:</c> and its token's <c>client_id</c>/<c>azp</c>/<c>sub</c>, or, when that would be longer, <c>jwt:</c> and the
/// first 32 hex digits of its SHA-256: stable, apart from every GUID, and never too long for a column.
/// </summary>
public static class ClientIds
{
    public const int MaxLength = 36;
    public const string JwtPrefix = "jwt:";
    /// <summary>A person signed in to the console with the deployment's OpenID Connect provider.</summary>
    public const string PersonPrefix = "person:";

    public static string ForJwt(string tokenClient) => Prefixed(JwtPrefix, tokenClient);

    /// <summary>A person's id: their subject at the deployment's one provider (hashed when too long, like a JWT client's).</summary>
    public static string ForPerson(string subject) => Prefixed(PersonPrefix, subject);

    private static string Prefixed(string prefix, string name) =>
        prefix.Length + name.Length <= MaxLength
            ? prefix + name
            : prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..(MaxLength - prefix.Length)];

    public static bool IsJwt(string clientId) => clientId.StartsWith(JwtPrefix, StringComparison.Ordinal);
}
