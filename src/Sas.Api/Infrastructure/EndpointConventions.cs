using System.Text.RegularExpressions;

namespace Sas.Api.Infrastructure;

public static partial class EndpointConventions
{
    /// <summary>Documents the problem+json answers a route gives besides 401/403 (added for every secured route).</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.ProducesProblem(status);
        return builder;
    }

    /// <summary>Codes chosen by clients (sectors, sites, external ids): letters, digits, '-', '_', '.', ':'.</summary>
    public static bool IsValidCode(string? code, int max = 64) => code is not null && code.Length <= max && Code().IsMatch(code);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Code();
}
