using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Rules;

public static class RuleEndpoints
{
    public static RouteGroupBuilder MapRules(this RouteGroupBuilder v1)
    {
        var rules = v1.MapGroup("/practitioners/{rpps}/rules").WithTags("Availability rules").RequireAuthorization(Policies.Practitioner, ActsForRouteGp.Policy);
        rules.MapPost("/", CreateRule).WithName(nameof(CreateRule)).WithMetadata(new Infrastructure.Audit.AuditedInTransaction())
            .WithSummary("Give a recurring availability once (every Tuesday afternoon…): its slots are made up to the sector's booking horizon, then as it moves (the GP's practitioner client, admin)")
            .ProducesErrors(E.ValidationFailed, E.PractitionerNotFound);
        rules.MapGet("/", ListRules).WithName(nameof(ListRules)).WithSummary("The GP's availability rules");
        rules.MapDelete("/{ruleId}", DeleteRule).WithName(nameof(DeleteRule)).WithMetadata(new Infrastructure.Audit.AuditedInTransaction())
            .WithSummary("Remove a rule: its free future slots are withdrawn, booked or held ones kept and named").ProducesErrors(E.RuleNotFound);
        return v1;
    }

    public static async Task<Results<Created<RuleMadeDto>, ProblemHttpResult>> CreateRule(string rpps, RuleInput input, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        var result = await rules.CreateAsync(rpps, input, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Created($"/v1/practitioners/{rpps}/rules/{result.Value.Rule.Id}", result.Value) : result.Problem();
    }

    public static async Task<Ok<IReadOnlyList<RuleDto>>> ListRules(string rpps, RuleService rules, CancellationToken ct) =>
        TypedResults.Ok(await rules.ListAsync(rpps, ct));

    public static async Task<Results<Ok<RuleRemovedDto>, ProblemHttpResult>> DeleteRule(string rpps, string ruleId, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        var result = await rules.RemoveAsync(rpps, ruleId, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }
}
