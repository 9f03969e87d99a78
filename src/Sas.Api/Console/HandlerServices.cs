namespace Sas.Api.Console;

/// <summary>
/// The <c>[AsParameters]</c> service bundle of an endpoint handler, filled from the request's services, so a console page
/// calls the very handler an API client reaches: the same rules, the same codes, one implementation.
/// </summary>
public static class HandlerServices
{
    public static T For<T>(HttpContext http) where T : struct
    {
        var constructor = typeof(T).GetConstructors().Single(c => c.GetParameters().Length > 0);
        var arguments = constructor.GetParameters()
            .Select(p => p.ParameterType == typeof(HttpContext) ? http : http.RequestServices.GetRequiredService(p.ParameterType))
            .ToArray();
        return (T)constructor.Invoke(arguments);
    }
}
