using System.Security.Cryptography;
using System.Text;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>
/// API keys are 256 random bits, shown once. Only their SHA-256 is stored: with that much entropy a
/// fast hash is enough (no dictionary to attack) and lets us look a key up by its hash.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "sas_";

    public static string NewKey() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
