using System.Security.Claims;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Sas.Api.Fhir;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Regulators;

/// <summary>
/// Flow INT_R02 of the SAS guide: the national platform creates and updates its regulators' accounts on each editor
/// (<c>FrPractitionerRegul</c>), so that a booking can name the regulator who made it. Create with <c>POST</c>;
/// update with <c>PUT ?identifier=system|value</c> (creating the account when none has that identifier, FHIR's
/// conditional update) or <c>PUT /{id}</c>. Every change is audited.
/// </summary>
public static class RegulatorEndpoints
{
    public static IEndpointRouteBuilder MapRegulators(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/fhir/Practitioner").WithTags("FHIR (SAS platform)").RequireAuthorization(FhirSetup.Policy);
        accounts.MapPost("", CreateRegulator).WithName(nameof(CreateRegulator))
            .WithSummary("Create a regulator's account (FrPractitionerRegul, flow INT_R02)").Accepts<object>(FhirCodes.ContentType)
            .ProducesFhir(201, 400, 401, 403, 409, 422);
        accounts.MapPut("", UpdateRegulatorByIdentifier).WithName(nameof(UpdateRegulatorByIdentifier))
            .WithSummary("Update the regulator's account with this identifier, or create it (conditional update)").Accepts<object>(FhirCodes.ContentType)
            .ProducesFhir(200, 201, 400, 401, 403, 409, 422);
        accounts.MapPut("/{id}", UpdateRegulator).WithName(nameof(UpdateRegulator))
            .WithSummary("Update a regulator's account by its id").Accepts<object>(FhirCodes.ContentType)
            .ProducesFhir(200, 400, 401, 403, 404, 409, 422);
        accounts.MapGet("/{id}", ReadRegulator).WithName(nameof(ReadRegulator))
            .WithSummary("Read a regulator's account")
            .ProducesFhir(200, 401, 403, 404);
        return app;
    }

    /// <summary>
    /// Recoverable: an element the model cannot take (an empty string, a wrong type) is left out rather than failing
    /// the whole body, so the profile's rules below name it (a 422 naming <c>name.family</c>, not a 400 naming nothing).
    /// </summary>
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    public static async Task<FhirResult> CreateRegulator(HttpContext http, ClaimsPrincipal user, RegulatorStore store, FhirOptions options, CancellationToken ct)
    {
        var (account, error) = await ReadBodyAsync(http.Request, ct);
        if (error is not null) return error;
        return Answer(http, options, await store.SaveAsync(account!, null, Caller.From(user), ct));
    }

    public static async Task<FhirResult> UpdateRegulatorByIdentifier(string? identifier, HttpContext http, ClaimsPrincipal user, RegulatorStore store, FhirOptions options, CancellationToken ct)
    {
        var bar = identifier?.IndexOf('|') ?? -1;
        var system = bar < 0 ? null : identifier![..bar];
        if (system is not (FhirCodes.IdnpsSystem or FhirCodes.SasPlatformSystem) || bar == identifier!.Length - 1)
            return Invalid(StatusCodes.Status400BadRequest, "identifier",
                $"name the account as identifier={FhirCodes.IdnpsSystem}|<IDNPS> or identifier={FhirCodes.SasPlatformSystem}|<SAS id>");
        var (account, error) = await ReadBodyAsync(http.Request, ct);
        if (error is not null) return error;
        var value = identifier[(bar + 1)..];
        var existing = await store.FindAsync(system == FhirCodes.IdnpsSystem, value, ct);
        // The URL names the account; a body that is someone else would make that account another person's. The platform
        // re-identifies a person (a national id given to an account known by its technical id, a renumbered one) with
        // the same email, as the test kit does: the body must carry the URL's identifier or the account's email.
        var carriesIdentifier = (system == FhirCodes.IdnpsSystem ? account!.Idnps : account!.SasId) == value;
        if (!carriesIdentifier && (existing is null || !string.Equals(existing.Email, account.Email, StringComparison.OrdinalIgnoreCase)))
            return Invalid(StatusCodes.Status422UnprocessableEntity, "identifier",
                $"must carry the identifier the URL names ({system}|{value}), or the account's own email when it gives the person a new identifier: a conditional update does not make the account someone else's");
        return Answer(http, options, await store.SaveAsync(account!, existing?.Id, Caller.From(user), ct));
    }

    public static async Task<FhirResult> UpdateRegulator(string id, HttpContext http, ClaimsPrincipal user, RegulatorStore store, FhirOptions options, CancellationToken ct)
    {
        var (account, error) = await ReadBodyAsync(http.Request, ct);
        if (error is not null) return error;
        if (await store.GetAsync(id, ct) is null) return NotFound();
        return Answer(http, options, await store.SaveAsync(account!, id, Caller.From(user), ct));
    }

    public static async Task<FhirResult> ReadRegulator(string id, RegulatorStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } row ? FhirResult.Ok(RegulatorResource.Write(row)) : NotFound();

    private static FhirResult NotFound() =>
        new(StatusCodes.Status404NotFound, FhirResult.Outcome(OperationOutcome.IssueType.NotFound, "No regulator account has this id."));

    /// <summary>201 with its Location, or 200; 409 when another active account has the identifier or the email.</summary>
    private static FhirResult Answer(HttpContext http, FhirOptions options, RegulatorStore.WriteOutcome outcome)
    {
        if (outcome.Conflict)
            return new(StatusCodes.Status409Conflict, FhirResult.Outcome(OperationOutcome.IssueType.Duplicate,
                "Another active regulator account has this identifier or this email: disable it first (active = false)."));
        if (outcome.Row is not { } row) return NotFound(); // replaced between the read and the write
        var version = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers.ETag = $"W/\"{version}\"";
        if (!outcome.Created) return FhirResult.Ok(RegulatorResource.Write(row));
        http.Response.Headers.Location = $"{FhirEndpoints.BaseUrl(http.Request, options)}/fhir/Practitioner/{row.Id}/_history/{version}";
        return new(StatusCodes.Status201Created, RegulatorResource.Write(row));
    }

    /// <summary>The account in the body: 400 when it is not a FHIR Practitioner, 422 when it breaks the profile's rules.</summary>
    private static async Task<(RegulatorRow? Account, FhirResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        string text;
        using (var reader = new StreamReader(request.Body)) text = await reader.ReadToEndAsync(ct);
        Resource resource;
        try
        {
            resource = Deserializer.DeserializeResource(text);
        }
        catch (Exception e) when (e is DeserializationFailedException or System.Text.Json.JsonException or FormatException)
        {
            return (null, Invalid(StatusCodes.Status400BadRequest, "Practitioner", "the body is not a FHIR R4 resource in JSON"));
        }
        if (resource is not Practitioner practitioner)
            return (null, Invalid(StatusCodes.Status400BadRequest, "resourceType", "must be Practitioner"));
        var (account, issues) = RegulatorResource.Read(practitioner);
        return account is null ? (null, Invalid(StatusCodes.Status422UnprocessableEntity, issues)) : (account, null);
    }

    private static FhirResult Invalid(int status, string expression, string message) => Invalid(status, [new SearchIssue(expression, message)]);

    private static FhirResult Invalid(int status, IEnumerable<SearchIssue> issues) => new(status, FhirResult.Issues(issues, OperationOutcome.IssueSeverity.Error,
        _ => status == StatusCodes.Status422UnprocessableEntity ? OperationOutcome.IssueType.Required : OperationOutcome.IssueType.Structure));
}
