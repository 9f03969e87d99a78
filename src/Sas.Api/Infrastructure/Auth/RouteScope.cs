using Microsoft.AspNetCore.Authorization;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>
/// The caller's scope over the resource a route names, said once on the route's group rather than by each handler: a
/// route added under the group cannot forget it. A refusal is the authorization's 403 <c>forbidden_scope</c>.
/// </summary>
public abstract class RouteScope(string routeValue) : AuthorizationHandler<RouteScope>, IAuthorizationRequirement
{
    protected abstract bool Covers(Caller caller, string value);

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RouteScope requirement)
    {
        // Each scope is its own handler: it answers for itself only.
        if (ReferenceEquals(requirement, this) && context.Resource is HttpContext http && http.GetRouteValue(routeValue) is string value
            && Covers(Caller.From(context.User), value))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>The GP of <c>{rpps}</c>: an admin, or that GP's practice software.</summary>
public sealed class ActsForRouteGp() : RouteScope("rpps")
{
    public const string Policy = "acts_for_route_gp";

    protected override bool Covers(Caller caller, string value) => caller.CoversPractitioner(value);
}

/// <summary>The CPTS of <c>{finess}</c>: an admin, or that CPTS's own staff (its coordinator).</summary>
public sealed class ActsForRouteCpts() : RouteScope("finess")
{
    public const string Policy = "acts_for_route_cpts";

    protected override bool Covers(Caller caller, string value) => caller.CoversCpts(value);
}
