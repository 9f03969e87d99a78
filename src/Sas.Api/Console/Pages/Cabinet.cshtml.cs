using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;

namespace Sas.Api.Console.Pages;

/// <summary>
/// A practice's view: for each of its GPs, the bookings of the next days with the patient's details (visible here only,
/// and each read audited, by the API's own bookings handler). The GPs are those the signed-in practice acts for.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Practitioner)]
public sealed class CabinetModel(PractitionerStore practitioners, TimeProvider clock) : PageModel
{
    public sealed record GpBookings(Practitioner Gp, IReadOnlyList<BookingDto> Bookings, string? Problem);

    public IReadOnlyList<GpBookings> Gps { get; private set; } = [];
    public int Days { get; private set; } = 3;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var caller = Caller.From(User);
        var now = clock.GetUtcNow().UtcDateTime;
        var from = now.Date.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = now.Date.AddDays(Days + 1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var services = HandlerServices.For<BookingEndpoints.Services>(HttpContext);
        var list = new List<GpBookings>();
        foreach (var rpps in caller.Scope.Order(StringComparer.Ordinal))
        {
            if (await practitioners.GetAsync(rpps, ct) is not { } gp) continue;
            var result = await BookingEndpoints.ListPractitionerBookings(rpps, from, to, 100, null, User, services, ct);
            list.Add(result.Result switch
            {
                Ok<Infrastructure.Page<BookingDto>> page => new GpBookings(gp, page.Value!.Items, null),
                ProblemHttpResult problem => new GpBookings(gp, [], problem.ProblemDetails.Detail),
                _ => new GpBookings(gp, [], null),
            });
        }
        Gps = list;
    }
}
