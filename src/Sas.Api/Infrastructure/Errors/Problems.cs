using Microsoft.AspNetCore.Http.HttpResults;

namespace Sas.Api.Infrastructure.Errors;

/// <summary>
/// Every client error is problem+json with a stable <c>code</c>; these are the ones handlers return.
/// <c>traceId</c> is added for all of them in <see cref="ProblemSetup"/>.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string code = "validation_failed", string? detail = null) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The request is not valid",
            detail: detail ?? "One or more fields are not valid; see errors.",
            extensions: new Dictionary<string, object?> { ["code"] = code, ["errors"] = errors });

    public static ProblemHttpResult Field(string field, string message, string code = "validation_failed") =>
        Validation(new Dictionary<string, string[]> { [field] = [message] }, code, $"{field}: {message}");

    public static ProblemHttpResult NotFound(string code, string detail) => Make(StatusCodes.Status404NotFound, "Not found", code, detail);

    public static ProblemHttpResult Conflict(string code, string detail) => Make(StatusCodes.Status409Conflict, "Conflict", code, detail);

    public static ProblemHttpResult Gone(string code, string detail) => Make(StatusCodes.Status410Gone, "Gone", code, detail);

    public static ProblemHttpResult Unprocessable(string code, string detail) => Make(StatusCodes.Status422UnprocessableEntity, "The request cannot be carried out", code, detail);

    public static ProblemHttpResult Forbidden(string detail = "This caller's role or scope does not cover this resource.") =>
        Make(StatusCodes.Status403Forbidden, "Forbidden", "forbidden_scope", detail);

    private static ProblemHttpResult Make(int status, string title, string code, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
