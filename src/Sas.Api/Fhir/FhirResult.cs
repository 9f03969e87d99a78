using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Sas.Domain.Fhir;

namespace Sas.Api.Fhir;

/// <summary>A FHIR resource as <c>application/fhir+json</c>, serialized by the Firely SDK.</summary>
public sealed class FhirResult(int statusCode, Resource resource) : IResult
{
    private static readonly BaseFhirJsonSerializer Serializer = new(ModelInfo.ModelInspector);

    public int StatusCode => statusCode;

    public Resource Resource => resource;

    public static string Serialize(Resource resource) => Serializer.SerializeToString(resource);

    public async System.Threading.Tasks.Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = FhirCodes.ContentType + "; charset=utf-8";
        await http.Response.WriteAsync(Serialize(resource), http.RequestAborted);
    }

    public static FhirResult Ok(Resource resource) => new(StatusCodes.Status200OK, resource);

    /// <summary>400 with one issue per parameter at fault, each naming it in <c>expression</c>.</summary>
    public static FhirResult BadRequest(IEnumerable<SearchIssue> issues) => new(StatusCodes.Status400BadRequest, new OperationOutcome
    {
        Issue = issues.Select(i => new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Error,
            Code = i.Message.StartsWith("is not a search parameter", StringComparison.Ordinal) ? OperationOutcome.IssueType.NotSupported : OperationOutcome.IssueType.Invalid,
            Diagnostics = $"{i.Parameter}: {i.Message}",
            Expression = [i.Parameter],
        }).ToList(),
    });

    public static OperationOutcome Outcome(OperationOutcome.IssueType code, string diagnostics) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = code, Diagnostics = diagnostics }],
    };
}
