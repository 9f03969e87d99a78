using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Sas.Api.Infrastructure.Security;

namespace Sas.Api.Console;

/// <summary>
/// The console pages' headers: for people, no script at all, styles inline, never cached, and forms only to where a
/// console form may lead (the CSP's <c>form-action</c>): this origin, and the sign-in provider's pages the
/// sign-in and sign-out forms are redirected to. Chromium applies <c>form-action</c> to the redirects that follow a
/// form post, so with <c>'self'</c> alone the button that leads to Pro Santé Connect did nothing. The provider's
/// origins come from its metadata (its sign-in page is not on its issuer's host), read once.
/// </summary>
public sealed class ConsoleHeaderPolicy(IOptionsMonitor<OpenIdConnectOptions> oidc, IOptions<PersonSignInOptions> people, ILogger<ConsoleHeaderPolicy> logger)
    : IHeaderPolicy
{
    private string? sources;

    public PathString Path => ConsoleSetup.Path;

    public async ValueTask ApplyAsync(HttpContext http, IHeaderDictionary headers)
    {
        var forms = await SourcesAsync();
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action {forms}; frame-ancestors 'none'; base-uri 'none'";
    }

    public async ValueTask<string> SourcesAsync()
    {
        if (sources is not null) return sources;
        if (!people.Value.Enabled) return sources = "'self'";
        var fallback = $"'self' {Origin(people.Value.Authority)}";
        try
        {
            var options = oidc.Get(PersonSignIn.Scheme);
            var metadata = options.Configuration ?? await options.ConfigurationManager!.GetConfigurationAsync(CancellationToken.None);
            var origins = new[] { metadata.AuthorizationEndpoint, metadata.EndSessionEndpoint, people.Value.Authority }
                .Select(Origin).OfType<string>().Distinct(StringComparer.Ordinal);
            return sources = "'self' " + string.Join(' ', origins);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            // The provider cannot be reached: its issuer's origin for now, its metadata's at the next page.
            logger.LogDebug("The provider's metadata could not be read for the console's form-action: {Reason}", e.Message);
            return fallback;
        }
    }

    private static string? Origin(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
}

/// <summary>A person in a browser: the console's cookie scheme sends them to sign in (the framework's own refusal).</summary>
internal sealed class ConsoleRefusalWriter : Infrastructure.Auth.IRefusalWriter
{
    public PathString Path => ConsoleSetup.Path;

    public Task<bool> WriteAsync(HttpContext context, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult result) => Task.FromResult(false);
}
