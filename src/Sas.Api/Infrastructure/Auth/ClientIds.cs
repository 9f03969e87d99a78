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

    public static string ForJwt(string tokenClient) =>
        JwtPrefix.Length + tokenClient.Length <= MaxLength
            ? JwtPrefix + tokenClient
            : JwtPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tokenClient)))[..(MaxLength - JwtPrefix.Length)];

    public static bool IsJwt(string clientId) => clientId.StartsWith(JwtPrefix, StringComparison.Ordinal);
}
