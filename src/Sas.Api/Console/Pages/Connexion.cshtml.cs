using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Clients;
using Sas.Api.Demo;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Console.Pages;

/// <summary>
/// Sign-in. With the demo data (Development only), a person picks one of the demo identities, each the demo client of
/// that role with its scope. A deployment signs people in with its OpenID Connect provider: not built yet.
/// </summary>
public sealed class ConnexionModel(IConfiguration configuration, ClientStore clients) : PageModel
{
    public IReadOnlyList<(string Role, string Label, string Description)> DemoIdentities =>
        configuration.GetValue("Sas:DemoData", false)
            ?
            [
                (Roles.Cpts, "Coordinatrice de CPTS", "Tableau de bord de la CPTS Loire-Atlantique (démo)"),
                (Roles.Regulator, "Régulateur du SAS 44", "Créneaux du département 44"),
                (Roles.Practitioner, "Secrétariat médical", "Les médecins du cabinet de démonstration"),
                (Roles.Admin, "Administrateur", "Tout le territoire"),
            ]
            : [];

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string role, CancellationToken ct)
    {
        var identity = DemoIdentities.FirstOrDefault(i => i.Role == role);
        if (identity.Role is null || !DemoData.Keys.TryGetValue(role, out var key)) return BadRequest();
        var client = await clients.FindByKeyHashAsync(ApiKeys.Hash(key), ct);
        if (client is null) return BadRequest();
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, ConsoleSetup.PrincipalOf(client, identity.Label));
        return LocalRedirect(ConsoleSetup.Path);
    }
}
