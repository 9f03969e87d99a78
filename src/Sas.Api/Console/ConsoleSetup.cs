using Sas.Api.Infrastructure;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Sas.Api.Clients;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Console;

/// <summary>
/// The web console under <c>/console</c>, in French, for the people among the API's users: CPTS coordinators
/// following their territory's slots, regulators booking for a patient, practices reading their GPs' slots and
/// bookings, administrators watching the jobs. Server-rendered Razor Pages calling the same handlers and services as
/// the endpoints; no script, no build step. A person signs in (the deployment's OpenID Connect provider, see
/// <see cref="PersonSignIn"/>, or a demo identity) and gets a cookie (HttpOnly, SameSite=Strict, Secure outside
/// Development) holding the same role and scope claims an API caller has.
/// </summary>
public static class ConsoleSetup
{
    public const string Scheme = "Console";
    public const string Path = "/console";

    public static WebApplicationBuilder AddSasConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o => o.RootDirectory = "/Console/Pages");
        // French pages written as French (é, not &#xE9;): Razor still encodes what HTML needs encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        // Razor Pages bring MVC, whose JSON options the OpenAPI generator then reads: the same rules as the API's.
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => Infrastructure.Json.JsonSetup.Configure(o.JsonSerializerOptions));
        var authentication = builder.Services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "sas-console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing")
                ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.Cookie.Path = Path;
            o.LoginPath = Path + "/connexion";
            o.AccessDeniedPath = Path + "/connexion";
            o.SlidingExpiration = true;
            o.Events = new CookieAuthenticationEvents { OnValidatePrincipal = PersonAccess.ValidateAsync };
        });
        builder.Services.AddValidatedOptions<ConsoleOptions>(ConsoleOptions.Section)
            .Check(o => string.IsNullOrEmpty(o.PublicBaseUrl) || Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"
                ? null : "Console:PublicBaseUrl must be an absolute http(s) URL.");
        // Sessions live in the database (ConsoleSessions): the idle expiry, the store and the clock are set from there.
        builder.Services.AddValidatedOptions<ConsoleSessionOptions>(ConsoleSessionOptions.Section);
        builder.Services.AddSingleton<ConsoleSessions>();
        builder.Services.AddSingleton<PersonAccess>();
        builder.Services.AddSingleton<PracticeView>();
        builder.Services.AddSingleton<Infrastructure.Security.IHeaderPolicy, ConsoleHeaderPolicy>();
        builder.Services.AddSingleton<IRefusalWriter, ConsoleRefusalWriter>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>, ConsoleCookieSetup>();
        PersonSignIn.Add(builder, authentication);
        return builder;
    }

    /// <summary>
    /// Under <c>/console</c> the person is whoever the console's cookie says, on every page (signed in or not): the
    /// antiforgery token of a form is bound to that person, and a page without its own rule (sign-out) must see the
    /// same person the page that drew the form saw.
    /// </summary>
    public static WebApplication UseSasConsole(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Path), console => console.Use(async (http, next) =>
        {
            var result = await http.AuthenticateAsync(Scheme);
            if (result.Succeeded) http.User = result.Principal;
            await next(http);
        }));
        return app;
    }

    public static WebApplication MapSasConsole(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }

    /// <summary>A person signed in as one of the API's clients: the same role and scope claims, under the console's scheme.</summary>
    public static ClaimsPrincipal PrincipalOf(ClientIdentity client, string displayName)
    {
        var claims = ApiKeyAuthenticationHandler.ClaimsOf(client);
        claims.Add(new Claim(ClaimTypes.Name, displayName));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, SasClaims.Role));
    }

    /// <summary>French as the console writes dates and numbers.</summary>
    public static readonly System.Globalization.CultureInfo French = System.Globalization.CultureInfo.GetCultureInfo("fr-FR");
}
