using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;

namespace Sas.Api.Clients;

public sealed record ClientInput(string Name, string Role, string[]? Scope = null);

/// <summary>The answer to a client's creation: the only time <c>apiKey</c> is ever shown.</summary>
public sealed record CreatedClientDto(string Id, string Name, string Role, string[] Scope, string KeyId, string ApiKey);

public static class ClientEndpoints
{
    public static RouteGroupBuilder MapClients(this RouteGroupBuilder v1)
    {
        var clients = v1.MapGroup("/clients").WithTags("Clients").RequireAuthorization(Policies.Admin);

        clients.MapPost("/", CreateClient).WithName(nameof(CreateClient))
            .WithSummary("Create an integration client; answers its API key once (admin)").ProducesProblems(422);

        return v1;
    }

    public readonly record struct Services(ClientStore Store, Geography Geography);

    public static async Task<Results<Created<CreatedClientDto>, ProblemHttpResult>> CreateClient(ClientInput input, [AsParameters] Services s, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Text("name", input.Name, 200);
        if (!Roles.IsKnown(input.Role)) errors.Add("role", $"must be one of {string.Join(", ", Roles.All)}");
        var scope = input.Scope?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (scope.Length > 1000) errors.Add("scope", "lists more than 1000 items");
        else ValidateScope(input.Role, scope, s.Geography, errors);
        if (errors.Any) return errors.ToProblem();

        var (client, keyId, key) = await s.Store.CreateAsync(input.Name.Trim(), input.Role, scope, ct);
        return TypedResults.Created($"/v1/clients/{client.Id}", new CreatedClientDto(client.Id, client.Name, client.Role, scope, keyId, key));
    }

    /// <summary>Each role's scope holds one kind of identifier; anything else is refused, not ignored.</summary>
    private static void ValidateScope(string role, string[] scope, Geography geography, ValidationErrors errors)
    {
        if (role == Roles.Admin && scope.Length > 0) errors.Add("scope", "must be empty for an admin client");
        if (role != Roles.Admin && scope.Length == 0) errors.Add("scope", "must list at least one item for this role");
        for (var i = 0; i < scope.Length; i++)
        {
            var item = scope[i];
            var ok = role switch
            {
                Roles.Practitioner => Rpps.IsValid(item),
                Roles.Regulator => geography.FindDepartment(item) is not null || EndpointConventions.IsValidCode(item),
                Roles.Cpts => Finess.IsValid(item),
                _ => true,
            };
            if (!ok)
                errors.Add($"scope[{i}]", role switch
                {
                    Roles.Practitioner => "must be a valid RPPS number",
                    Roles.Regulator => "must be a sector code or a département code",
                    _ => "must be a valid FINESS number",
                });
        }
    }
}
