using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Rules;

/// <summary>
/// Recurring availability, given by the GP's practice (<c>/practitioners/{rpps}/rules</c>) or, for a CPTS-run rota, by
/// the CPTS's coordinator for the GPs of its sectors (<c>/cpts/{finess}/rota</c>). Both reach the same service.
/// </summary>
public static class RuleEndpoints
{
    public static RouteGroupBuilder MapRules(this RouteGroupBuilder v1)
    {
        var rules = v1.MapGroup("/practitioners/{rpps}/rules").WithTags("Availability rules").RequireAuthorization(Policies.Practitioner, ActsForRouteGp.Policy);
        rules.MapPost("/", CreateRule).WithName(nameof(CreateRule)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Give a recurring availability once (every Tuesday afternoon…): its slots are made up to the sector's booking horizon, then as it moves (the GP's practitioner client, admin)")
            .ProducesErrors(E.ValidationFailed, E.PractitionerNotFound);
        rules.MapGet("/", ListRules).WithName(nameof(ListRules)).WithSummary("The GP's availability rules");
        rules.MapPut("/{ruleId}", EditRule).WithName(nameof(EditRule)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Edit a rule in place: only its future free slots change; held and booked ones stay and are named when the new rule would not make them")
            .ProducesErrors(E.ValidationFailed, E.RuleNotFound);
        rules.MapDelete("/{ruleId}", DeleteRule).WithName(nameof(DeleteRule)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Remove a rule: its free future slots are withdrawn, booked or held ones kept and named").ProducesErrors(E.RuleNotFound);

        var rota = v1.MapGroup("/cpts/{finess}/rota").WithTags("Availability rules").RequireAuthorization(Policies.Cpts, ActsForRouteCpts.Policy);
        rota.MapPost("/", CreateRotaRule).WithName(nameof(CreateRotaRule)).WithMetadata(new AuditedInTransaction())
            .WithSummary("The CPTS coordinator gives a rule for a GP of the CPTS's sectors, in one of those sectors (the CPTS's staff, admin)")
            .ProducesErrors(E.ValidationFailed, E.PractitionerNotFound);
        rota.MapGet("/", ListRota).WithName(nameof(ListRota)).WithSummary("The rules in the CPTS's sectors, every GP's");
        rota.MapPut("/{ruleId}", EditRotaRule).WithName(nameof(EditRotaRule)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Edit a rule of the CPTS's rota in place, as the GP's practice would").ProducesErrors(E.ValidationFailed, E.RuleNotFound);
        rota.MapDelete("/{ruleId}", DeleteRotaRule).WithName(nameof(DeleteRotaRule)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Remove a rule of the CPTS's rota, as the GP's practice would").ProducesErrors(E.RuleNotFound);
        return v1;
    }

    public static async Task<Results<Created<RuleMadeDto>, ProblemHttpResult>> CreateRule(string rpps, RuleInput input, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        var result = await rules.CreateAsync(rpps, input, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Created($"/v1/practitioners/{rpps}/rules/{result.Value.Rule.Id}", result.Value) : result.Problem();
    }

    public static async Task<Ok<IReadOnlyList<RuleDto>>> ListRules(string rpps, RuleService rules, CancellationToken ct) =>
        TypedResults.Ok(await rules.ListAsync(rpps, ct));

    public static async Task<Results<Ok<RuleEditedDto>, ProblemHttpResult>> EditRule(string rpps, string ruleId, RuleInput input, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        var result = await rules.EditAsync(rpps, ruleId, input, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<Ok<RuleRemovedDto>, ProblemHttpResult>> DeleteRule(string rpps, string ruleId, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        var result = await rules.RemoveAsync(rpps, ruleId, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<Created<RuleMadeDto>, ProblemHttpResult>> CreateRotaRule(string finess, RotaRuleInput input, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var practitioner = errors.Required(input.Practitioner, "practitioner") ? input.Practitioner : null;
        if (practitioner is not null && !Domain.Identifiers.ProfessionalId.IsValid(practitioner))
        {
            errors.Add("practitioner", Domain.Validation.FieldRules.InvalidRpps);
            practitioner = null;
        }
        var rule = errors.Required(input.Rule, "rule") ? input.Rule : null;
        if (practitioner is null || rule is null) return errors.ToProblem();
        var result = await rules.CreateAsync(practitioner, rule, Caller.From(user), ct, cpts: finess);
        return result.Succeeded ? TypedResults.Created($"/v1/cpts/{finess}/rota/{result.Value.Rule.Id}", result.Value) : result.ProblemNestedIn("rule");
    }

    public static async Task<Ok<IReadOnlyList<RuleDto>>> ListRota(string finess, ClaimsPrincipal user, RuleService rules, CancellationToken ct) =>
        TypedResults.Ok(await rules.ListForCptsAsync(finess, Caller.From(user), ct));

    public static async Task<Results<Ok<RuleEditedDto>, ProblemHttpResult>> EditRotaRule(string finess, string ruleId, RuleInput input, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        if (await rules.RotaGpAsync(finess, ruleId, Caller.From(user), ct) is not { } rpps) return Problems.Of(E.RuleNotFound);
        var result = await rules.EditAsync(rpps, ruleId, input, Caller.From(user), ct, cpts: finess);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<Ok<RuleRemovedDto>, ProblemHttpResult>> DeleteRotaRule(string finess, string ruleId, ClaimsPrincipal user, RuleService rules, CancellationToken ct)
    {
        if (await rules.RotaGpAsync(finess, ruleId, Caller.From(user), ct) is not { } rpps) return Problems.Of(E.RuleNotFound);
        var result = await rules.RemoveAsync(rpps, ruleId, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }
}
