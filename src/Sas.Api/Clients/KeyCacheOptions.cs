using System.ComponentModel.DataAnnotations;

namespace Sas.Api.Clients;

/// <summary>Section <c>Auth</c> (its key cache; <c>Auth:Jwt</c> is <see cref="Infrastructure.Auth.JwtOptions"/>).</summary>
public sealed class KeyCacheOptions
{
    public const string Section = "Auth";

    /// <summary>How long a node trusts an API key it has checked; a revocation through another node applies within it. 0 checks every request.</summary>
    [Range(0, 3600)]
    public int KeyCacheSeconds { get; set; } = 10;
}
