using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Sas.Api.Infrastructure.Errors;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Sas.Api.Infrastructure.OpenApi;

/// <summary>
/// Each operation's security, parameters (rules, required ones) and answers: its own error codes (declared with
/// <see cref="EndpointConventions.ProducesErrors"/>) and those every operation of its kind may answer, listed in
/// <c>x-error-codes</c> and under each status, with the <c>Location</c>, <c>Retry-After</c> and <c>Idempotent-Replayed</c>
/// headers where they come.
/// </summary>
public sealed class ContractOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var path = "/" + (context.ApiDescription.RelativePath ?? "");
        var isV1 = path.StartsWith("/v1", StringComparison.Ordinal);
        var isFhir = path.StartsWith("/fhir", StringComparison.Ordinal);
        operation.Responses ??= new OpenApiResponses();

        Security(operation, context, metadata, isFhir);
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (ContractRules.ForParameter(path, parameter.Name!) is { } rule && parameter.Schema is OpenApiSchema schema)
                ContractSchemaFilter.Apply(schema, rule, schema);
            if (parameter.Schema is OpenApiSchema { Description: { } d } s) { parameter.Description ??= d; s.Description = null; }
            if (metadata.OfType<RequiredParametersMetadata>().FirstOrDefault()?.Names.Contains(parameter.Name) == true) parameter.Required = true;
        }
        if (metadata.OfType<ProducesCsvMetadata>().Any()
            && operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse && okResponse.Content is { } content)
            content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "RFC 4180 CSV, or French Excel's with format=excel-fr." } };
        if (!isV1)
        {
            operation.Description ??= operation.Summary + (isFhir ? ". FHIR errors are OperationOutcome resources, not problem+json." : ". Anonymous: for load balancers and probes.");
            // Any route: a URL over 8 kB is refused before it is routed.
            operation.Responses.TryAdd("414", new OpenApiResponse
            {
                Description = $"`{ErrorCodes.UriTooLong.Code}`: {ErrorCodes.UriTooLong.Meaning}",
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("Problem", context.Document) } },
            });
            return;
        }

        var codes = (metadata.OfType<ErrorCodesMetadata>().LastOrDefault()?.Codes ?? []).ToList();
        var hasBody = operation.RequestBody is not null;
        if (hasBody || operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true) codes.Add(ErrorCodes.MalformedRequest);
        if (hasBody) codes.AddRange([ErrorCodes.PayloadTooLarge, ErrorCodes.UnsupportedMediaType]);
        codes.AddRange([ErrorCodes.Unauthenticated, ErrorCodes.ForbiddenScope, ErrorCodes.UriTooLong, ErrorCodes.RateLimited, ErrorCodes.InternalError, ErrorCodes.StorageUnavailable]);
        codes = codes.DistinctBy(c => c.Code).OrderBy(c => c.Status).ThenBy(c => c.Code, StringComparer.Ordinal).ToList();
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions["x-error-codes"] = new JsonNodeExtension(new JsonArray(codes.Select(c => (JsonNode)JsonValue.Create(c.Code)!).ToArray()));

        var problem = new OpenApiSchemaReference("Problem", context.Document);
        foreach (var status in codes.GroupBy(c => c.Status))
        {
            var response = new OpenApiResponse
            {
                Description = string.Join("; ", status.Select(c => $"`{c.Code}`: {c.Meaning}")),
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
            };
            if (status.Key is 429 or 503) response.Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = RetryAfter() };
            operation.Responses[status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
        }
        if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse createdResponse)
        {
            createdResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            createdResponse.Headers["Location"] = new OpenApiHeader { Description = "The new resource's path.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            if (operation.OperationId == nameof(Bookings.BookingEndpoints.CreateBooking))
                createdResponse.Headers[Bookings.BookingEndpoints.ReplayedHeader] = new OpenApiHeader
                {
                    Description = "true when this answer replays the first answer of its Idempotency-Key (no second booking was made).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")!] },
                };
        }
        operation.Description = (operation.Summary ?? "") + "\n\nError codes: " + string.Join(", ", codes.Select(c => $"`{c.Code}` ({c.Status})")) + ". See docs/errors.md.";
    }

    private static OpenApiHeader RetryAfter() => new()
    {
        Description = "Seconds to wait before trying again.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
    };

    private static void Security(OpenApiOperation operation, OperationFilterContext context, IList<object> metadata, bool isFhir)
    {
        if (OpenApiSetup.IsAnonymous(metadata)) { operation.Security = []; return; }
        if (isFhir)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiSetup.MutualTlsScheme, context.Document)] = [] }];
            return;
        }
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiSetup.ApiKeyScheme, context.Document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiSetup.BearerScheme, context.Document)] = [] },
        ];
    }
}

/// <summary>Marks an operation that also answers <c>text/csv</c> (reports).</summary>
public sealed record ProducesCsvMetadata;

/// <summary>Query and header parameters an operation requires (minimal APIs bind them as optional, to name every missing one in a 422).</summary>
public sealed record RequiredParametersMetadata(params string[] Names);
