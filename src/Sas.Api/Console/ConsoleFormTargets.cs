using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Sas.Api.Console;

/// <summary>
/// Where a console form may lead, for the pages' <c>form-action</c>: this origin, and the sign-in provider's pages the
/// sign-in and sign-out forms are redirected to. Chromium applies <c>form-action</c> to the redirects that follow a
/// form post, so with <c>'self'</c> alone the button that leads to Pro Santé Connect did nothing. The provider's
/// origins come from its metadata (its sign-in page is not on its issuer's host), read once.
/// </summary>
public sealed class ConsoleFormTargets(IOptionsMonitor<OpenIdConnectOptions> oidc, IOptions<PersonSignInOptions> people, ILogger<ConsoleFormTargets> logger)
    : Infrastructure.Security.IFormTargets
{
    private string? sources;

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
