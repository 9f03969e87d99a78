using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sas.Api.Clients;
using Sas.Api.Demo;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Console.Pages;

/// <summary>
/// Sign-in. With the demo data (Development only), a person picks one of the demo identities, each the demo client of
/// that role with its scope. A deployment signs people in with its OpenID Connect provider (<see cref="PersonSignIn"/>).
/// </summary>
public sealed class ConnexionModel(SasOptions sas, PersonAccess access, IOptions<PersonSignInOptions> provider) : PageModel
{
    /// <summary>The provider's name when one is configured.</summary>
    public string? Provider => provider.Value.Enabled ? provider.Value.DisplayName : null;

    /// <summary>Back from a sign-in that did not give access (<see cref="PersonSignIn.RefusedPath"/>).</summary>
    [BindProperty(SupportsGet = true, Name = "refus")]
    public string? Refusal { get; set; }

    public bool Refused => !string.IsNullOrEmpty(Refusal);

    /// <summary>A person the SAS platform sent here has no active regulator account (<see cref="PersonSignIn.RegulatorRefusedPath"/>).</summary>
    public bool RegulatorRefused => Refusal == PersonSignIn.RegulatorRefusal;

    public IReadOnlyList<(string Role, string Label, string Description)> DemoIdentities =>
        sas.DemoData
            ?
            [
                (Roles.Cpts, "Coordinatrice de CPTS", "Tableau de bord de la CPTS Loire-Atlantique (démo)"),
                (Roles.Regulator, "Régulateur du SAS 44", "Créneaux du département 44"),
                (Roles.Practitioner, "Secrétariat médical", "Les médecins du cabinet de démonstration"),
                (Roles.Admin, "Administrateur", "Tout le territoire"),
            ]
            : [];

    public void OnGet()
    {
        if (RegulatorRefused) Response.StatusCode = StatusCodes.Status403Forbidden;
    }

    /// <summary>The provider could not be reached: said on this page, not as an error page.</summary>
    public bool ProviderDown { get; private set; }

    /// <summary>Off to the provider; back on the page that opens the console (<c>/console/connexion/suite</c>).</summary>
    public async Task<IActionResult> OnPostExterneAsync()
    {
        if (Provider is null) return NotFound();
        try
        {
            // Challenged here rather than by a ChallengeResult, so that a provider whose metadata cannot be read is
            // answered with this page (503) instead of the error page.
            await HttpContext.ChallengeAsync(PersonSignIn.Scheme, new AuthenticationProperties { RedirectUri = ConsoleSetup.Path + "/connexion/suite" });
            return new EmptyResult();
        }
        catch (InvalidOperationException e) when (e.InnerException is IOException or HttpRequestException)
        {
            HttpContext.RequestServices.GetRequiredService<ILogger<ConnexionModel>>().LogWarning("The OpenID Connect provider could not be reached: {Reason}", e.Message);
            ProviderDown = true;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Page();
        }
    }

    public async Task<IActionResult> OnPostAsync(string role, CancellationToken ct)
    {
        var identity = DemoIdentities.FirstOrDefault(i => i.Role == role);
        if (identity.Role is null || await access.DemoAsync(role, identity.Label, ct) is not { } principal) return BadRequest();
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, principal);
        return LocalRedirect(ConsoleSetup.Path);
    }
}
