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

    /// <summary>A birth date as French people write it (12/04/1990).</summary>
    public static string BirthDate(string? iso) =>
        DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : iso ?? "";

    /// <summary>A French number as dialled (06 12 34 56 78); any other as stored (E.164).</summary>
    public static string Phone(string? e164) => e164 is { Length: 12 } p && p.StartsWith("+33", StringComparison.Ordinal)
        ? string.Join(' ', ("0" + p[3..]).Chunk(2).Select(c => new string(c)))
        : e164 ?? "";
}
