using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Sas.Api.Fhir;

/// <summary>A FHIR resource as <c>application/fhir+json</c>, serialized by the Firely SDK.</summary>
public sealed class FhirResult(int statusCode, Resource resource) : IResult
{
    private static readonly BaseFhirJsonSerializer Serializer = new(ModelInfo.ModelInspector);

    /// <summary>
    /// JSON as the guide writes it: the default encoder escapes <c>+</c> and <c>&amp;</c> (for JSON inside HTML),
    /// so every instant came out as <c>…000\u002B01:00</c> and the self link's query with <c>\u0026</c>. Valid
    /// JSON still, but not what a platform checking the text of an instant expects; this is never put in a page.
    /// </summary>
    public static readonly System.Text.Json.JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int StatusCode => statusCode;

    public Resource Resource => resource;

    public static byte[] SerializeToUtf8(Resource resource)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, WriterOptions)) Serializer.Serialize(resource, writer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes straight into the response pipe. A large bundle as a string went to the large-object heap on every
    /// answer, and under many clients the gen-2 collections cut throughput below that of a single client
    /// (docs/benchmarks.md).
    /// </summary>
    public System.Threading.Tasks.Task ExecuteAsync(HttpContext http) => WriteAsync(http, statusCode, writer => Serializer.Serialize(resource, writer));

    /// <summary>An <c>application/fhir+json</c> answer whose JSON <paramref name="write"/> puts straight into the response pipe.</summary>
    public static async System.Threading.Tasks.Task WriteAsync(HttpContext http, int statusCode, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        Start(http, statusCode);
        await using (var writer = new System.Text.Json.Utf8JsonWriter(http.Response.BodyWriter, WriterOptions))
            write(writer);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    /// <summary>An <c>application/fhir+json</c> answer's status and type, before its body: every FHIR answer, one place.</summary>
    public static void Start(HttpContext http, int statusCode)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = FhirCodes.ContentType + "; charset=utf-8";
    }

    public static FhirResult Ok(Resource resource) => new(StatusCodes.Status200OK, resource);

    /// <summary>400 with one issue per parameter at fault, each naming it in <c>expression</c>.</summary>
    public static FhirResult BadRequest(IEnumerable<SearchIssue> issues) => new(StatusCodes.Status400BadRequest, Issues(issues, OperationOutcome.IssueSeverity.Error,
        i => i.Message.StartsWith("is not a search parameter", StringComparison.Ordinal) || i.Message.Contains("is not supported", StringComparison.Ordinal)
            ? OperationOutcome.IssueType.NotSupported : OperationOutcome.IssueType.Invalid));

    /// <summary>The warnings of a search that still ran: the outcome entry of its Bundle.</summary>
    public static OperationOutcome Warnings(IEnumerable<SearchIssue> warnings) => Issues(warnings, OperationOutcome.IssueSeverity.Warning,
        w => w.Message.EndsWith("ignored", StringComparison.Ordinal) ? OperationOutcome.IssueType.NotSupported : OperationOutcome.IssueType.NotFound);

    /// <summary>One issue per element or parameter at fault, each naming it in <c>expression</c> and in its diagnostics.</summary>
    public static OperationOutcome Issues(IEnumerable<SearchIssue> issues, OperationOutcome.IssueSeverity severity, Func<SearchIssue, OperationOutcome.IssueType> code) => new()
    {
        Issue = issues.Select(i => new OperationOutcome.IssueComponent
        {
            Severity = severity,
            Code = code(i),
            Diagnostics = $"{i.Parameter}: {i.Message}",
            Expression = [i.Parameter],
        }).ToList(),
    };

    public static OperationOutcome Outcome(OperationOutcome.IssueType code, string diagnostics) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = code, Diagnostics = diagnostics }],
    };
}
