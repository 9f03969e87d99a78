using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Clients;

public sealed record ClientInput([property: Required] string? Name = null, [property: Required] string? Role = null, string[]? Scope = null);

/// <summary>The answer to a client's creation: the only time <c>apiKey</c> is ever shown.</summary>
public sealed record CreatedClientDto(string Id, string Name, string Role, string[] Scope, string KeyId, string ApiKey);

public sealed record KeyDto(string Id, string? Label, string CreatedAt, string? RevokedAt);

public sealed record ClientDto(string Id, string Name, string Role, string[] Scope, KeyDto[] Keys, OperatorsDto Operators);

/// <summary>
/// The regulators a regulator client may name on its bookings: SAS platform account ids (<c>operatorAccount</c>) and
/// national ids (<c>operator</c>, IDNPS).
/// </summary>
public sealed record OperatorsDto(string[] Accounts, string[] NationalIds);

public sealed record OperatorsInput([property: Required] string[]? Accounts = null, [property: Required] string[]? NationalIds = null);

/// <summary>A new key: the only time it is shown.</summary>
public sealed record NewKeyDto(string KeyId, string ApiKey);

public static class ClientEndpoints
{
    public static RouteGroupBuilder MapClients(this RouteGroupBuilder v1)
    {
        var clients = v1.MapGroup("/clients").WithTags("Clients").RequireAuthorization(Policies.Admin);

        clients.MapPost("/", CreateClient).WithName(nameof(CreateClient)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Create an integration client; answers its API key once (admin)").ProducesErrors(E.ValidationFailed);
        clients.MapGet("/{id}", GetClient).WithName(nameof(GetClient))
            .WithSummary("A client with its keys' ids and dates; never a key (admin)").ProducesErrors(E.ClientNotFound);
        clients.MapPost("/{id}/keys", RotateKey).WithName(nameof(RotateKey)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Add a key to a client, shown once; the old ones work until revoked (admin)").ProducesErrors(E.ClientNotFound, E.ValidationFailed);
        clients.MapPut("/{id}/operators", SetOperators).WithName(nameof(SetOperators)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Set the regulators this client may name on its bookings (operatorAccount, operator) (admin)").ProducesErrors(E.ClientNotFound, E.ValidationFailed);
        clients.MapDelete("/{id}/keys/{keyId}", RevokeKey).WithName(nameof(RevokeKey)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Revoke a key: the next request with it answers 401 (admin)").ProducesErrors(E.KeyNotFound);

        return v1;
    }

    public readonly record struct Services(ClientStore Store, Geography Geography);

    public static async Task<Results<Created<CreatedClientDto>, ProblemHttpResult>> CreateClient(ClientInput input, System.Security.Claims.ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Text("name", input.Name, 200);
        if (errors.Required(input.Role, "role") && !Roles.IsKnown(input.Role)) errors.Add("role", $"must be one of {string.Join(", ", Roles.All)}");
        var scope = input.Scope?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (scope.Length > 1000) errors.Add("scope", "lists more than 1000 items");
        else if (input.Role is not null) ValidateScope(input.Role, scope, s.Geography, errors);
        if (errors.Any) return errors.ToProblem();

        var (client, keyId, key) = await s.Store.CreateAsync(input.Name!.Trim(), input.Role!, scope, Caller.From(user), ct);
        return TypedResults.Created($"/v1/clients/{client.Id}", new CreatedClientDto(client.Id, client.Name, client.Role, scope, keyId, key));
    }

    public sealed record KeyInput(string? Label = null);

    public static async Task<Results<Ok<ClientDto>, ProblemHttpResult>> GetClient(string id, ClientStore store, CancellationToken ct)
    {
        var found = await store.GetAsync(id, ct);
        if (found is not { } f) return Problems.Of(E.ClientNotFound, "No client has this id.");
        return TypedResults.Ok(new ClientDto(f.Client.Id, f.Client.Name, f.Client.Role, ClientStore.ParseScope(f.Client.Scope),
            f.Keys.Select(k => new KeyDto(k.Id, k.Label, Domain.Time.Instants.Format(k.CreatedAt), k.RevokedAt is { } r ? Domain.Time.Instants.Format(r) : null)).ToArray(),
            new OperatorsDto(ClientStore.ParseScope(f.Client.OperatorAccounts), ClientStore.ParseScope(f.Client.OperatorIds))));
    }

    /// <summary>Replaces the lists; only a regulator client names operators.</summary>
    public static async Task<Results<Ok<OperatorsDto>, ProblemHttpResult>> SetOperators(string id, OperatorsInput input, System.Security.Claims.ClaimsPrincipal user, ClientStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var accounts = input.Accounts?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        var ids = input.NationalIds?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        errors.Required(input.Accounts, "accounts");
        errors.Required(input.NationalIds, "nationalIds");
        foreach (var (name, list) in new[] { ("accounts", accounts), ("nationalIds", ids) })
        {
            if (list.Length > 1000) errors.Add(name, "lists more than 1000 items");
            for (var i = 0; i < list.Length && i < 1000; i++)
                if (!Sas.Domain.Bookings.BookingRules.IsOperatorId(list[i])) errors.Add($"{name}[{i}]", "must be 1 to 64 letters, digits, '/', '-' or '.'");
        }
        if (errors.Any) return errors.ToProblem();
        var found = await store.GetAsync(id, ct);
        if (found is null) return Problems.Of(E.ClientNotFound, "No client has this id.");
        if (found.Value.Client.Role != Roles.Regulator && (accounts.Length > 0 || ids.Length > 0))
            return Problems.Field("accounts", "only a regulator client names the regulators of its bookings");
        if (!await store.SetOperatorsAsync(id, new OperatorGrants(accounts, ids), Caller.From(user), ct)) return Problems.Of(E.ClientNotFound, "No client has this id.");
        return TypedResults.Ok(new OperatorsDto(accounts, ids));
    }

    public static async Task<Results<Created<NewKeyDto>, ProblemHttpResult>> RotateKey(string id, KeyInput? input, System.Security.Claims.ClaimsPrincipal user, ClientStore store, CancellationToken ct)
    {
        if (input?.Label is { Length: > 100 }) return Problems.Field("label", "is longer than 100 characters");
        if (await store.GetAsync(id, ct) is null) return Problems.Of(E.ClientNotFound, "No client has this id.");
        var (keyId, key) = await store.AddKeyAsync(id, input?.Label, Caller.From(user), ct);
        return TypedResults.Created($"/v1/clients/{id}", new NewKeyDto(keyId, key));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(string id, string keyId, System.Security.Claims.ClaimsPrincipal user, ClientStore store, CancellationToken ct) =>
        await store.RevokeKeyAsync(id, keyId, Caller.From(user), ct)
            ? TypedResults.NoContent()
            : Problems.Of(E.KeyNotFound, "This client has no live key with this id.");

    private static readonly string ProfessionItemText = $"{Caller.ProfessionItem} and one of {string.Join(", ", Sas.Domain.Professions.Professions.Names)}";

    /// <summary>Each role's scope holds one kind of identifier (and, for regulators and CPTS, profession limits); anything else is refused, not ignored.</summary>
    private static void ValidateScope(string role, string[] scope, Geography geography, ValidationErrors errors)
    {
        if (role == Roles.Admin && scope.Length > 0) errors.Add("scope", "must be empty for an admin client");
        if (role != Roles.Admin && scope.Length == 0) errors.Add("scope", "must list at least one item for this role");
        for (var i = 0; i < scope.Length; i++)
        {
            var item = scope[i];
            var ok = role switch
            {
                Roles.Practitioner => ProfessionalId.IsValid(item),
                Roles.Regulator => geography.FindDepartment(item) is not null || EndpointConventions.IsValidCode(item) || Caller.IsProfessionItem(item),
                Roles.Cpts => Finess.IsValid(item) || Caller.IsProfessionItem(item),
                _ => true,
            };
            if (!ok)
                errors.Add($"scope[{i}]", role switch
                {
                    Roles.Practitioner => "must be a valid RPPS or ADELI number",
                    Roles.Regulator => $"must be a sector code, a département code, or {ProfessionItemText}",
                    _ => $"must be a valid FINESS number, or {ProfessionItemText}",
                });
        }
    }
}
