using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Rules;
using Sas.Domain.Time;

namespace Sas.Api.Console.Pages;

/// <summary>
/// The practice's week as a calendar: for each of its GPs, day by day, the recurring availability that applies, the
/// slots with their state, and the SAS booking on each with the patient (read through the API's bookings service, each
/// read audited). Whole weeks from Monday, in the sector's local time; the previous and next weeks a link away.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Practitioner)]
public sealed class SemaineModel(PracticeView practice, RuleService rules, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "du")] public DateOnly? Monday { get; set; }

    /// <summary>A GP's week: slots and rules by local day.</summary>
    public sealed record GpWeek(GpView View, ILookup<DateOnly, SlotLine> Slots, ILookup<DateOnly, RuleDto> Rules);

    public IReadOnlyList<GpWeek> Gps { get; private set; } = [];
    public DateOnly[] Days { get; private set; } = [];
    public DateTime Now { get; private set; }
    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        var zone = Zones.Find(null); // the week is mainland France's; each slot is placed on its own sector's local day
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(Now, zone));
        var monday = Monday ?? today;
        monday = monday.AddDays(-(((int)monday.DayOfWeek + 6) % 7));
        if (monday.Year is < 2001 or > 2098)
        {
            Problem = "La semaine doit tenir entre 2001 et 2098.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Monday = monday;
        Days = [.. Enumerable.Range(0, 7).Select(monday.AddDays)];
        // A day's margin each side: a sector overseas is hours away from Paris.
        var fromUtc = TimeZoneInfo.ConvertTimeToUtc(monday.AddDays(-1).ToDateTime(TimeOnly.MinValue), zone);
        var toUtc = TimeZoneInfo.ConvertTimeToUtc(monday.AddDays(8).ToDateTime(TimeOnly.MinValue), zone);
        var list = new List<GpWeek>();
        foreach (var view in await practice.LoadAsync(Caller.From(User), fromUtc, toUtc, ct))
        {
            var days = await rules.DaysAsync(view.Gp.Row.Rpps, monday, monday.AddDays(6), ct);
            list.Add(new GpWeek(view, view.Slots.ToLookup(LocalDay), days.ToLookup(d => d.Day, d => d.Rule))); // read by the week's days only
        }
        Gps = list;
    }

    private static DateOnly LocalDay(SlotLine line) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(line.Slot.StartUtc, Zones.Find(line.TimeZone)));

    public static string Time(SlotLine line) => TimeZoneInfo.ConvertTimeFromUtc(line.Slot.StartUtc, Zones.Find(line.TimeZone)).ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("dddd d MMMM", ConsoleSetup.French);

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
