using System.Text.RegularExpressions;

namespace Sas.Api.Infrastructure;

/// <summary>The error codes a route declares, for its OpenAPI operation.</summary>
public sealed record ErrorCodesMetadata(IReadOnlyList<Errors.ErrorCode> Codes);

public static partial class EndpointConventions
{
    /// <summary>
    /// Documents the error codes of a route's own (its statuses as problem+json answers, and the codes as metadata that
    /// becomes the operation's <c>x-error-codes</c>). The codes every route of a kind may answer (401, 403, 429,
    /// malformed input, bodies too large…) are added to the description by the OpenAPI setup.
    /// </summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params Errors.ErrorCode[] codes)
    {
        foreach (var status in codes.Select(c => c.Status).Distinct()) builder.ProducesProblem(status);
        return builder.WithMetadata(new ErrorCodesMetadata(codes));
    }

    /// <summary>Codes chosen by clients (sectors, sites, external ids): letters, digits, '-', '_', '.', ':'.</summary>
    public static bool IsValidCode(string? code, int max = MaxCodeLength) => code is not null && code.Length <= max && Code().IsMatch(code);

    public const string CodePattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]*$";
    public const int MaxCodeLength = 64;

    [GeneratedRegex(CodePattern, RegexOptions.CultureInvariant)]
    private static partial Regex Code();
}
