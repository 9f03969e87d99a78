using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sas.Api.Console.Pages;

public sealed class DeconnexionModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect(ConsoleSetup.Path + "/connexion");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSetup.Scheme);
        return LocalRedirect(ConsoleSetup.Path + "/connexion");
    }
}
