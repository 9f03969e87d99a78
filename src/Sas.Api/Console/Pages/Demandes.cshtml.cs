using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;
using Sas.Api.Requests;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Time;

namespace Sas.Api.Console.Pages;

/// <summary>
/// The pooled requests offered to the practice's professionals (issue #32): the need, the reason and until when it is
/// open; a professional accepts one at the time they will see the patient, and it becomes their booking. Each request
/// shown is a read of the patient's reason, audited by the requests service.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Practitioner)]
public sealed class DemandesModel(RequestService requests, PractitionerStore practitioners, TerritoryStore territory, TimeProvider clock) : PageModel
{
    /// <summary>A professional of the practice and the requests offered to them.</summary>
    public sealed record Offered(Practitioner Professional, IReadOnlyList<(RequestDto Request, string TimeZone)> Requests);

    public IReadOnlyList<Offered> Professionals { get; private set; } = [];
    public string? Done { get; private set; }
    public string? Problem { get; private set; }
    public DateTime Now { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var caller = Caller.From(User);
        Now = clock.GetUtcNow().UtcDateTime;
        var list = new List<Offered>();
        foreach (var rpps in caller.Scope.Where(ProfessionalId.IsValid).Order(StringComparer.Ordinal))
        {
            if (await practitioners.GetAsync(rpps, ct) is not { } professional) continue;
            var open = new List<(RequestDto, string)>();
            foreach (var request in await requests.OpenForAsync(rpps, caller, ct))
                open.Add((request, territory.TimeZoneOf(await territory.CachedSectorAsync(request.Sector, ct))));
            list.Add(new Offered(professional, open));
        }
        Professionals = list;
    }

    /// <summary>
    /// Accepts a request for one of the practice's professionals at a local time (today, or tomorrow when that time has
    /// passed today: a request's window is a day at most). The form carries its own idempotency key: sent twice, it
    /// books once.
    /// </summary>
    public async Task OnPostAcceptAsync(string requestId, string rpps, string heure, string cle, CancellationToken ct)
    {
        var request = await requests.GetAsync(requestId, Caller.From(User), ct);
        if (!request.Succeeded) Problem = $"Demande non acceptée : {FrenchText.Of(request)}.";
        else if (Start(heure, territory.TimeZoneOf(await territory.CachedSectorAsync(request.Value.Sector, ct))) is not { } start)
            Problem = "Demande non acceptée : indiquez l'heure du rendez-vous (HH:MM).";
        else
        {
            var result = await requests.AcceptAsync(requestId, new AcceptInput(rpps, Instants.Format(start)), cle, Caller.From(User), ct);
            Done = result.Succeeded ? $"Demande acceptée : rendez-vous à {heure}. La régulation en est informée." : null;
            Problem = result.Succeeded ? null : $"Demande non acceptée : {FrenchText.Of(result)}.";
        }
        await OnGetAsync(ct);
    }

    private DateTime? Start(string? heure, string timeZone)
    {
        if (!TimeOnly.TryParseExact(heure, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) return null;
        var zone = Zones.Find(timeZone);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        var start = TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(time), zone);
        return start < now.AddMinutes(-5) ? TimeZoneInfo.ConvertTimeToUtc(today.AddDays(1).ToDateTime(time), zone) : start;
    }

    /// <summary>An instant of the API in the sector's local time, HH:mm.</summary>
    public static string Local(string instant, string timeZone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture), Zones.Find(timeZone)).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A proposed time: half an hour from now, on the quarter hour, in the sector's local time.</summary>
    public string Proposed(string timeZone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(Now.AddMinutes(30), Zones.Find(timeZone));
        var quarter = new TimeOnly(local.Hour, local.Minute / 15 * 15);
        return quarter.ToString("HH:mm", CultureInfo.InvariantCulture);
    }
}
