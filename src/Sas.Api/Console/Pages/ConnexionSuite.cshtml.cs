using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sas.Api.Console.Pages;

/// <summary>
/// Where the provider's sign-in ends: the page that opens the console (or the page the person was going to, such as the
/// GP's agenda a regulator came from the SAS platform for) by a navigation that starts here.
/// </summary>
public sealed class ConnexionSuiteModel : PageModel
{
    /// <summary>A console page to go on to; anything else (another site, another path) goes to the console's home.</summary>
    [BindProperty(SupportsGet = true, Name = "retour")] public string? Back { get; set; }

    public string Next => Back is { } back && back.StartsWith(ConsoleSetup.Path + "/", StringComparison.Ordinal) && Url.IsLocalUrl(back) ? back : ConsoleSetup.Path;

    public void OnGet() { }
}
