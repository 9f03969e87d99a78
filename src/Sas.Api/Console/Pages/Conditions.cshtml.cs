using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Console.Pages;

/// <summary>
/// The terms of use (CGU) a regulator from the SAS platform accepts before the first agenda, once per version
/// (<see cref="Regulators.TermsStore"/>); the acceptance is recorded with its version and time, and audited.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Regulator)]
public sealed class ConditionsModel(Regulators.TermsStore terms) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "retour")] public string? Back { get; set; }

    public string Version => Regulators.TermsStore.Version;

    private string Next => Back is { } back && back.StartsWith(ConsoleSetup.Path + "/", StringComparison.Ordinal) && Url.IsLocalUrl(back) ? back : ConsoleSetup.Path;

    private string? Account => User.FindFirstValue(PersonClaims.RegulatorAccount);

    public IActionResult OnGet() => Account is null ? LocalRedirect(ConsoleSetup.Path) : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Account is not { } account) return LocalRedirect(ConsoleSetup.Path);
        await terms.AcceptAsync(account, Caller.From(User), ct);
        return LocalRedirect(Next);
    }
}
