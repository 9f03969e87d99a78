using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The committed <c>openapi.yaml</c>, and the check every response a test receives goes through: its operation declares
/// the status, the media type, and (for JSON) a schema the body is valid against; a problem's code is one the operation
/// lists in <c>x-error-codes</c>; a 201 has its Location, a 429 or 503 its Retry-After.
/// </summary>
public static class Contract
{
    private static readonly Lazy<JsonObject> Document = new(Load);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> Schemas = new();
    private static readonly Lazy<List<(Regex Pattern, int Literals, string Template)>> Templates = new(() =>
        Document.Value["paths"]!.AsObject().Select(p => p.Key)
            .Select(t => (new Regex("^" + Regex.Replace(Regex.Escape(t), @"\\\{[^}]+\}", "[^/]+") + "$"), t.Split('/').Count(s => !s.StartsWith('{')), t))
            .OrderByDescending(t => t.Item2).ToList());

    private static JsonObject Load()
    {
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var result = OpenApiDocument.LoadAsync(Path.Combine(Repository.Root, "openapi.yaml"), settings).GetAwaiter().GetResult();
        using var text = new StringWriter();
        result.Document!.SerializeAsV31(new OpenApiJsonWriter(text));
        return JsonNode.Parse(text.ToString())!.AsObject();
    }

    /// <summary>
    /// A response's schema as a standalone JSON Schema: the components become <c>$defs</c> (JsonSchema.Net did not follow a
    /// <c>$ref</c> from one subschema of an OpenAPI document into another).
    /// </summary>
    private static JsonSchema SchemaOf(string key, JsonNode schema) => Schemas.GetOrAdd(key, _ =>
    {
        var text = new JsonObject
        {
            ["$defs"] = Document.Value["components"]!["schemas"]!.DeepClone(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        }.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text);
    });

    /// <summary>Paths the contract does not describe on purpose: the Swagger UI, the jobs dashboard, the metrics scrape, the error page.</summary>
    private static bool Undescribed(string path) =>
        path.StartsWith("/swagger", StringComparison.Ordinal) || path.StartsWith("/jobs", StringComparison.Ordinal)
        || path.StartsWith("/metrics", StringComparison.Ordinal) || path.StartsWith("/docs/", StringComparison.Ordinal);

    /// <summary>Null when the answer is what the contract says; else what is wrong.</summary>
    public static string? Check(HttpMethod method, string path, HttpStatusCode status, string? mediaType, byte[] body, HttpResponseMessage response)
    {
        if (Undescribed(path) || method == HttpMethod.Options) return null; // CORS preflights are answered before any operation
        if (path.Length > 1) path = path.TrimEnd('/');
        var template = Templates.Value.FirstOrDefault(t => t.Pattern.IsMatch(path)).Template;
        var operation = template is null ? null : Document.Value["paths"]![template]![method.Method.ToLowerInvariant()];
        if (operation is null)
            // An unknown route or method: the generic 404/405 problem every client can meet.
            return status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.RequestUriTooLong or HttpStatusCode.TooManyRequests ? null
                : $"{method} {path}: no operation in openapi.yaml answers it ({(int)status})";
        var code = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var declared = operation["responses"]![code] ?? operation["responses"]!["default"];
        if (declared is null) return $"{method} {template}: status {code} is not declared";
        if (status == HttpStatusCode.Created && declared["headers"]?["Location"] is not null && response.Headers.Location is null)
            return $"{method} {template}: 201 without its Location";
        if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && declared["headers"]?["Retry-After"] is not null && response.Headers.RetryAfter is null)
            return $"{method} {template}: {code} without Retry-After";
        if (body.Length == 0) return declared["content"] is null || status == HttpStatusCode.NoContent ? null : $"{method} {template}: {code} with an empty body";
        var content = declared["content"]?.AsObject();
        if (content is null || mediaType is null || !content.ContainsKey(mediaType)) return $"{method} {template}: {code} answers {mediaType ?? "no media type"}, not declared ({string.Join(", ", content?.Select(c => c.Key) ?? [])})";
        if (!mediaType.EndsWith("json", StringComparison.Ordinal) || mediaType == "application/fhir+json") return null;

        var json = JsonNode.Parse(body);
        var schema = SchemaOf($"{method} {template} {code} {mediaType}", content[mediaType]!["schema"]!);
        var result = schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (!result.IsValid)
            return $"{method} {template}: {code} body breaks the schema: " + string.Join("; ", result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Value}")).Take(6))
                + $" — body: {Truncate(System.Text.Encoding.UTF8.GetString(body))}";
        // Routing answers these before any operation (a path parameter that is not a number, a method the route lacks).
        if (mediaType == "application/problem+json" && json?["code"]?.GetValue<string>() is { } problemCode && problemCode is not ("not_found" or "method_not_allowed")
            && operation["x-error-codes"] is JsonArray codes && !codes.Any(c => c?.GetValue<string>() == problemCode))
            return $"{method} {template}: code {problemCode} is not in its x-error-codes";
        return null;
    }

    private static string Truncate(string text) => text.Length <= 600 ? text : text[..600] + "…";
}

/// <summary>Checks every response against the contract, and fails the test that received one the contract does not allow.</summary>
public sealed class ContractCheckingHandler : DelegatingHandler
{
    public ContractCheckingHandler() { }

    public ContractCheckingHandler(HttpMessageHandler inner) : base(inner) { }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var replaced = new ByteArrayContent(body);
        foreach (var header in response.Content.Headers) replaced.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = replaced;
        var problem = Contract.Check(request.Method, request.RequestUri!.AbsolutePath, response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response);
        if (problem is not null) throw new Xunit.Sdk.XunitException("Answer outside openapi.yaml: " + problem);
        return response;
    }
}
