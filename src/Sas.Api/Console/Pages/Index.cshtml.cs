using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Console.Pages;

/// <summary>Where a signed-in person lands: their role's view.</summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme)]
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() =>
        User.IsInRole(Roles.Cpts) || User.IsInRole(Roles.Admin) ? LocalRedirect(ConsoleSetup.Path + "/cpts")
        : User.IsInRole(Roles.Regulator) ? LocalRedirect(ConsoleSetup.Path + "/regulation")
        : User.IsInRole(Roles.Practitioner) ? LocalRedirect(ConsoleSetup.Path + "/cabinet")
        : Page();
}
