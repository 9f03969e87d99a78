using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace Sas.Api.Infrastructure.Errors;

/// <summary>
/// Every client error is problem+json with a stable <c>code</c> from <see cref="ErrorCodes"/>, whose status it carries;
/// these build them from one. <c>traceId</c> is added for all of them in <see cref="ProblemSetup"/>.
/// </summary>
public static class Problems
{
    /// <summary>The problem of <paramref name="code"/>: its status, and <paramref name="detail"/> or else what the code means.</summary>
    public static ProblemHttpResult Of(ErrorCode code, string? detail = null) =>
        TypedResults.Problem(statusCode: code.Status, title: Title(code.Status), detail: detail ?? code.Meaning,
            extensions: new Dictionary<string, object?> { ["code"] = code.Code });

    /// <summary>422 naming every field at fault (<c>validation_failed</c>, or another code of the same shape).</summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, ErrorCode? code = null, string? detail = null) =>
        TypedResults.Problem(
            statusCode: (code ?? ErrorCodes.ValidationFailed).Status,
            title: "The request is not valid",
            detail: detail ?? "One or more fields are not valid; see errors.",
            extensions: new Dictionary<string, object?> { ["code"] = (code ?? ErrorCodes.ValidationFailed).Code, ["errors"] = errors });

    public static ProblemHttpResult Field(string field, string message, ErrorCode? code = null) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] }, code, $"{field}: {message}");

    private static string Title(int status) => status switch
    {
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status410Gone => "Gone",
        StatusCodes.Status422UnprocessableEntity => "The request cannot be carried out",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };
}
