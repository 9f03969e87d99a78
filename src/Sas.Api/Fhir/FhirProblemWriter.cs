using Hl7.Fhir.Model;
using Microsoft.AspNetCore.WebUtilities;

namespace Sas.Api.Fhir;

/// <summary>
/// Under <c>/fhir</c> every error is an <c>OperationOutcome</c>, whoever writes it: an unknown route or method
/// (status code pages), a body the framework could not read, a rate limit, an exception. The platform is a FHIR
/// client; a problem+json answer there would be an unreadable resource. The problem's stable code is kept in the
/// issue's <c>details</c>.
/// </summary>
public sealed class FhirProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => context.HttpContext.Request.Path.StartsWithSegments(FhirSetup.Path);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        var code = problem.Extensions.TryGetValue("code", out var c) && c is string s ? s : Infrastructure.Errors.ProblemSetup.DefaultCode(status);
        var outcome = new OperationOutcome
        {
            Issue =
            [
                new OperationOutcome.IssueComponent
                {
                    Severity = status >= 500 ? OperationOutcome.IssueSeverity.Fatal : OperationOutcome.IssueSeverity.Error,
                    Code = IssueType(status),
                    Details = new CodeableConcept { Text = code },
                    Diagnostics = problem.Detail ?? problem.Title ?? ReasonPhrases.GetReasonPhrase(status),
                },
            ],
        };
        return new ValueTask(new FhirResult(status, outcome).ExecuteAsync(http));
    }

    private static OperationOutcome.IssueType IssueType(int status) => status switch
    {
        401 => OperationOutcome.IssueType.Login,
        403 => OperationOutcome.IssueType.Forbidden,
        404 => OperationOutcome.IssueType.NotFound,
        405 or 415 => OperationOutcome.IssueType.NotSupported,
        409 => OperationOutcome.IssueType.Conflict,
        413 or 414 => OperationOutcome.IssueType.TooLong,
        429 => OperationOutcome.IssueType.Throttled,
        503 => OperationOutcome.IssueType.Transient,
        >= 500 => OperationOutcome.IssueType.Exception,
        _ => OperationOutcome.IssueType.Invalid,
    };
}
