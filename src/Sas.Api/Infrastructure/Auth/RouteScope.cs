using Microsoft.AspNetCore.Authorization;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>
/// The caller's scope over the resource a route names, said once on the route's group rather than by each handler: a
/// route added under the group cannot forget it. Today the GP of <c>{rpps}</c>: an admin, or that GP's practice software.
/// A refusal is the authorization's 403 <c>forbidden_scope</c>.
/// </summary>
public sealed class ActsForRouteGp : AuthorizationHandler<ActsForRouteGp>, IAuthorizationRequirement
{
    public const string Policy = "acts_for_route_gp";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ActsForRouteGp requirement)
    {
        if (context.Resource is HttpContext http && http.GetRouteValue("rpps") is string rpps && Caller.From(context.User).CoversPractitioner(rpps))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>The CPTS of <c>{finess}</c>: an admin, or that CPTS's own staff (its coordinator).</summary>
public sealed class ActsForRouteCpts : AuthorizationHandler<ActsForRouteCpts>, IAuthorizationRequirement
{
    public const string Policy = "acts_for_route_cpts";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ActsForRouteCpts requirement)
    {
        if (context.Resource is HttpContext http && http.GetRouteValue("finess") is string finess && Caller.From(context.User).CoversCpts(finess))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
