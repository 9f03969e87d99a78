using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Sas.Api.Infrastructure.Outbox;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Sas.Api.Infrastructure.OpenApi;

/// <summary>
/// The document as a whole: the problem schema every error answers with, the tags, nullable references written as
/// <c>anyOf</c> (a <c>$ref</c> cannot be nullable), and the webhooks (OpenAPI 3.1) with their payloads and headers.
/// </summary>
public sealed class ContractDocumentFilter : IDocumentFilter
{
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Territory", "Sectors, CPTS and the reference communes (admin writes; every role reads)."),
        ("Practitioners", "GPs, their sectors and practice sites (the GP's practice software, admin)."),
        ("Slots", "Publishing and syncing slots (the GP's practice software), reading one."),
        ("Availability rules", "Recurring availability given once (every Tuesday afternoon…); its slots are made up to the sector's booking horizon."),
        ("Pooled requests", "When no slot fits: a request posted once to the professionals of the territory who take them; the first to accept gets it as an overflow booking."),
        ("Search", "Bookable slots for a regulator, soonest first."),
        ("Booking", "Holds, bookings, moves, cancellations and outcomes; bookings and moves need an Idempotency-Key."),
        ("Notifications", "Webhooks (signed, verified, at least once) and their deliveries."),
        ("Reports", "CPTS figures: fill rate, ACI indicators, majorations, participation; JSON or CSV."),
        ("Clients", "Integration clients and their API keys (admin)."),
        ("Audit", "Who did or read what (admin)."),
        ("Operations", "Liveness and readiness, for load balancers."),
        ("FHIR (SAS platform)", "The ANS SAS guide's slot aggregation for the national platform (mutual TLS; application/fhir+json; FHIR errors are OperationOutcome)."),
    ];

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        var schemas = document.Components!.Schemas!;
        schemas["Problem"] = Problem();
        foreach (var schema in schemas.Values.OfType<OpenApiSchema>()) NullableReferences(schema);
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.ToList() ?? []))
        {
            foreach (var media in (operation.RequestBody?.Content?.Values ?? []).Concat(operation.Responses?.Values.SelectMany(r => r.Content?.Values ?? []) ?? []).OfType<OpenApiMediaType>())
                if (media.Schema is OpenApiSchema { AllOf: [var target], Properties: null or { Count: 0 } } wrapper && wrapper.Type is null) media.Schema = target;
            if (operation.Responses is { } responses)
            {
                var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
                responses.Clear();
                foreach (var (status, response) in sorted) responses[status] = response;
            }
        }
        foreach (var (name, schema) in Payloads(document)) schemas[name] = schema;
        document.Webhooks = Webhooks(document);
        Fhir(document);
    }

    /// <summary>RFC 9457 problem details as this API answers them: always a stable <c>code</c> and a <c>traceId</c>.</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details. `type` is the code's section of /docs/errors (docs/errors.md).",
        Required = new SortedSet<string>(["type", "title", "status", "code", "traceId"], StringComparer.Ordinal),
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference", Examples = [JsonValue.Create("/docs/errors#slot_booked")!] },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "400", Maximum = "599" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Description = "Stable and machine-readable; each operation lists its own in x-error-codes.",
                Enum = Errors.ErrorCodes.All.Select(c => (JsonNode)JsonValue.Create(c.Code)!).ToList(),
            },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Finds the request in the logs and the audit trail." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For validation: each field at fault (its full path, such as patient.lastName or slots[3].start) and what is wrong with it.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    /// <summary>
    /// <c>{"type":"null","allOf":[{"$ref"}]}</c> (nullable reference) becomes <c>anyOf</c> of the reference and null, and
    /// <c>{"allOf":[{"$ref"}]}</c> the reference itself: what generators read as <c>T | null</c> and <c>T</c>.
    /// </summary>
    private static void NullableReferences(OpenApiSchema schema)
    {
        if (schema.Properties is null) return;
        foreach (var (name, property) in schema.Properties.ToList())
        {
            if (property is not OpenApiSchema { AllOf: [var target] } wrapped || wrapped.Properties is { Count: > 0 }) continue;
            var nullable = wrapped.Type?.HasFlag(JsonSchemaType.Null) == true;
            schema.Properties[name] = nullable
                ? new OpenApiSchema { AnyOf = [target, new OpenApiSchema { Type = JsonSchemaType.Null }], Description = wrapped.Description }
                : target;
        }
    }

    /// <summary>The event envelope of each webhook: what a receiver gets, as the outbox writes it (never patient data).</summary>
    private static IEnumerable<(string Name, OpenApiSchema Schema)> Payloads(OpenApiDocument document)
    {
        OpenApiSchema S(JsonSchemaType type, string? description = null, string? format = null) => new() { Type = type, Description = description, Format = format };
        yield return ("BookingEvent", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A booking's event: created, cancelled, moved or its outcome.",
            Required = new SortedSet<string>(["id", "type", "occurredAt", "data"], StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = S(JsonSchemaType.String, "The event's id, also sent as Sas-Event-Id: the same on every retry."),
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. EventTypes.Of("booking").Select(e => (JsonNode)JsonValue.Create(e)!)] },
                ["occurredAt"] = S(JsonSchemaType.String, format: "date-time"),
                ["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new SortedSet<string>(["bookingId", "slotId", "practitionerRpps", "sector", "start", "end", "overflow", "status", "outcome", "origin", "cancelledBy", "operatorId", "bookedBy", "previousSlotId", "previousPractitionerRpps"], StringComparer.Ordinal),
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["bookingId"] = S(JsonSchemaType.String), ["slotId"] = S(JsonSchemaType.Integer | JsonSchemaType.Null),
                        ["practitionerRpps"] = S(JsonSchemaType.String), ["sector"] = S(JsonSchemaType.String),
                        ["start"] = S(JsonSchemaType.String | JsonSchemaType.Null, format: "date-time"), ["end"] = S(JsonSchemaType.String | JsonSchemaType.Null, format: "date-time"),
                        ["overflow"] = S(JsonSchemaType.Boolean), ["status"] = S(JsonSchemaType.String, "booked or cancelled"),
                        ["outcome"] = S(JsonSchemaType.String | JsonSchemaType.Null, "honoured or no_show"), ["origin"] = S(JsonSchemaType.String),
                        ["cancelledBy"] = S(JsonSchemaType.String | JsonSchemaType.Null), ["operatorId"] = S(JsonSchemaType.String | JsonSchemaType.Null),
                        ["bookedBy"] = S(JsonSchemaType.String, "The booking client's id."),
                        ["previousSlotId"] = S(JsonSchemaType.Integer | JsonSchemaType.Null, "booking.moved: the slot the booking left (available again)."),
                        ["previousPractitionerRpps"] = S(JsonSchemaType.String | JsonSchemaType.Null,
                            "booking.moved: the professional of the slot it left; when another than practitionerRpps, their practice receives the event too."),
                    },
                },
            },
        });
        yield return ("SlotExpiredEvent", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A slot whose start passed unbooked.",
            Required = new SortedSet<string>(["id", "type", "occurredAt", "data"], StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = S(JsonSchemaType.String), ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(EventTypes.SlotExpired)!] },
                ["occurredAt"] = S(JsonSchemaType.String, format: "date-time"),
                ["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new SortedSet<string>(["slotId", "practitionerRpps", "sector", "start", "end"], StringComparer.Ordinal),
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["slotId"] = S(JsonSchemaType.Integer), ["practitionerRpps"] = S(JsonSchemaType.String), ["sector"] = S(JsonSchemaType.String),
                        ["start"] = S(JsonSchemaType.String, format: "date-time"), ["end"] = S(JsonSchemaType.String, format: "date-time"),
                    },
                },
            },
        });
        yield return ("RequestEvent", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A pooled request's event: offered to a professional (to their practice), accepted (to its regulator and the accepting practice), expired unaccepted (to its regulator). Never the patient nor the reason: GET /v1/requests/{id} (audited).",
            Required = new SortedSet<string>(["id", "type", "occurredAt", "data"], StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = S(JsonSchemaType.String),
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. EventTypes.Of("request").Select(e => (JsonNode)JsonValue.Create(e)!)] },
                ["occurredAt"] = S(JsonSchemaType.String, format: "date-time"),
                ["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new SortedSet<string>(["requestId", "status", "sector", "profession", "specialty", "modality", "notBefore", "notAfter", "acceptedBy", "bookingId"], StringComparer.Ordinal),
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["requestId"] = S(JsonSchemaType.String), ["status"] = S(JsonSchemaType.String, "open, accepted or expired"),
                        ["sector"] = S(JsonSchemaType.String), ["profession"] = S(JsonSchemaType.String), ["specialty"] = S(JsonSchemaType.String | JsonSchemaType.Null),
                        ["modality"] = S(JsonSchemaType.String),
                        ["notBefore"] = S(JsonSchemaType.String, format: "date-time"), ["notAfter"] = S(JsonSchemaType.String, format: "date-time"),
                        ["acceptedBy"] = S(JsonSchemaType.String | JsonSchemaType.Null, "The professional who accepted it."),
                        ["bookingId"] = S(JsonSchemaType.String | JsonSchemaType.Null, "The booking it became."),
                    },
                },
            },
        });
        yield return ("VerificationEvent", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Sent once when a webhook is set: answer 2xx with the hex HMAC-SHA256 of data.challenge, keyed with the secret, e.g. {\"answer\":\"…\"}.",
            Required = new SortedSet<string>(["id", "type", "occurredAt", "data"], StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = S(JsonSchemaType.String), ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(Notifications.WebhookVerifier.EventType)!] },
                ["occurredAt"] = S(JsonSchemaType.String, format: "date-time"),
                ["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object, Required = new SortedSet<string>(["challenge"], StringComparer.Ordinal),
                    Properties = new Dictionary<string, IOpenApiSchema> { ["challenge"] = S(JsonSchemaType.String) },
                },
            },
        });
        _ = document;
    }

    /// <summary>What a receiver is sent: a signed POST per event (README, "Background jobs and webhooks").</summary>
    private static Dictionary<string, IOpenApiPathItem> Webhooks(OpenApiDocument document)
    {
        OpenApiPathItem Hook(string summary, string payload) => new()
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Post] = new OpenApiOperation
                {
                    Summary = summary,
                    Description = summary + " Sent to the client's webhook URL at least once, in order per booking; deduplicate on Sas-Event-Id. "
                        + "Check Sas-Signature (t=<unix seconds>,v1=<hex HMAC-SHA256 of t, a dot and the body>) in constant time and refuse a t more than 5 minutes from your clock.",
                    OperationId = "Receive" + payload,
                    Security = [], // the receiver authenticates the API by Sas-Signature
                    Tags = new HashSet<OpenApiTagReference> { new("Notifications", document) },
                    Parameters =
                    [
                        new OpenApiParameter { Name = "Sas-Event-Id", In = ParameterLocation.Header, Required = true, Description = "The event's id: the same on every retry.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                        new OpenApiParameter { Name = "Sas-Event-Type", In = ParameterLocation.Header, Required = true, Description = "The event's type.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                        new OpenApiParameter { Name = "Sas-Signature", In = ParameterLocation.Header, Required = true, Description = "t=<unix seconds>,v1=<hex HMAC-SHA256, with the webhook's secret, of t, a dot and the exact body>.", Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^t=[0-9]+,v1=[0-9a-f]{64}$" } },
                    ],
                    RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(payload, document) } },
                    },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Received. Any 2xx is a delivery; a 3xx or another status is a failed attempt, retried with backoff; 410 Gone ends the delivery." },
                        ["410"] = new OpenApiResponse { Description = "The receiver is gone for good: the delivery is failed, not tried again." },
                    },
                },
            },
        };
        return new Dictionary<string, IOpenApiPathItem>
        {
            ["booking"] = Hook("A booking was created, cancelled, moved to another slot or its outcome recorded (booking.created, booking.cancelled, booking.moved, booking.outcome).", "BookingEvent"),
            ["slotExpired"] = Hook("An unbooked slot's start passed (slot.expired).", "SlotExpiredEvent"),
            ["request"] = Hook("A pooled request was offered to a professional, accepted, expired unaccepted or withdrawn (request.offered, request.accepted, request.expired, request.withdrawn): the regulator hears of its own request's end, and every professional it was offered to hears when it is no longer theirs to take.", "RequestEvent"),
            ["verification"] = Hook("A webhook was set: answer the hex HMAC-SHA256 of data.challenge, keyed with the secret (webhook.verification).", "VerificationEvent"),
        };
    }

    /// <summary>The FHIR routes answer application/fhir+json resources, described by the ANS guide rather than here.</summary>
    private static void Fhir(OpenApiDocument document)
    {
        foreach (var (path, item) in document.Paths.Where(p => p.Key.StartsWith("/fhir", StringComparison.Ordinal)))
            foreach (var operation in item.Operations?.Values.ToList() ?? [])
                foreach (var (status, answer) in operation.Responses?.ToList() ?? [])
                {
                    if (answer is not OpenApiResponse response) continue;
                    var resource = path.EndsWith("metadata", StringComparison.Ordinal) ? "A FHIR R4 CapabilityStatement."
                        : status.StartsWith('2') ? "A FHIR R4 searchset Bundle, as the ANS SAS guide describes: https://interop.esante.gouv.fr/ig/fhir/sas"
                        : "A FHIR R4 OperationOutcome naming what is wrong.";
                    response.Content = new Dictionary<string, IOpenApiMediaType>
                    {
                        [Sas.Api.Fhir.FhirCodes.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = resource } },
                    };
                }
    }
}
