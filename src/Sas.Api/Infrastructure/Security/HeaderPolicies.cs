namespace Sas.Api.Infrastructure.Security;

/// <summary>
/// The security headers of the answers under one path, registered by the feature that owns the path (the console,
/// the jobs dashboard, FHIR), so that the shared pipeline never names a feature. The longest matching path wins.
/// </summary>
public interface IHeaderPolicy
{
    PathString Path { get; }

    ValueTask ApplyAsync(HttpContext http, IHeaderDictionary headers);
}

/// <summary>
/// Answers of an API (JSON, FHIR, health): they may hold health data, so never cached, never framed, no active
/// content. Also the headers of any error answer outside every registered path.
/// </summary>
public sealed class DataHeaderPolicy(PathString path) : IHeaderPolicy
{
    public PathString Path { get; } = path;

    public ValueTask ApplyAsync(HttpContext http, IHeaderDictionary headers)
    {
        Apply(headers);
        return ValueTask.CompletedTask;
    }

    public static void Apply(IHeaderDictionary headers)
    {
        headers.CacheControl = "no-store";
        headers.Remove("Pragma");
        headers.Remove("Expires");
        headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
    }
}

/// <summary>Sets the headers when an answer starts, with the policies read once when the pipeline is built.</summary>
internal sealed class SecurityHeaders(IHeaderPolicy[] policies)
{
    // One delegate for every request: OnStarting gets the HttpContext as its state.
    public Func<object, Task> OnStarting => onStarting ??= Apply;
    private Func<object, Task>? onStarting;

    private async Task Apply(object state)
    {
        var http = (HttpContext)state;
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Hangfire's dashboard moves its mount point into PathBase while it answers: look at both.
        var path = http.Request.PathBase.HasValue ? http.Request.PathBase.Add(http.Request.Path) : http.Request.Path;
        foreach (var policy in policies)
        {
            if (!path.StartsWithSegments(policy.Path)) continue;
            await policy.ApplyAsync(http, headers);
            return;
        }
        if (http.Response.StatusCode >= 400) DataHeaderPolicy.Apply(headers);
    }
}
