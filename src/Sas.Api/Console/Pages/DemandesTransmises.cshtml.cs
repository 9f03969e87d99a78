using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;
using Sas.Api.Requests;
using Sas.Api.Territory;

namespace Sas.Api.Console.Pages;

/// <summary>
/// The pooled requests the regulator's client posted in the last day (the API's <c>GET /v1/requests</c>): the open ones,
/// which it may withdraw when the patient found care elsewhere, and who took the others. Each request shown is a read,
/// audited by the requests service.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Regulator + "," + Roles.Admin)]
public sealed class DemandesTransmisesModel(
    RequestService requests, Bookings.BookingService bookings, PractitionerStore practitioners, TerritoryStore territory) : PageModel
{
    /// <summary>A request, its sector's time zone, who accepted it and the booking it became (null while nobody has).</summary>
    public sealed record Line(RequestDto Request, string TimeZone, PractitionerRow? AcceptedBy, Bookings.BookingDto? Booking);

    public IReadOnlyList<Line> Requests { get; private set; } = [];
    public string? Done { get; private set; }
    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var caller = Caller.From(User);
        var posted = await requests.PostedAsync(caller, ct);
        var acceptors = (await practitioners.GetManyAsync([.. posted.Select(r => r.AcceptedBy).OfType<string>().Distinct()], ct))
            .ToDictionary(p => p.Row.Rpps, p => p.Row);
        var lines = new List<Line>();
        foreach (var r in posted)
        {
            // The booking an accepted request became: when, and for which patient, to call them back (a read, audited).
            var booking = r.BookingId is { } id && await bookings.GetAsync(id, caller, ct) is { Succeeded: true } found ? found.Value : null;
            lines.Add(new Line(r, territory.TimeZoneOf(await territory.CachedSectorAsync(r.Sector, ct)), r.AcceptedBy is { } by ? acceptors.GetValueOrDefault(by) : null, booking));
        }
        Requests = lines;
    }

    /// <summary>Takes back an open request through the API's handler: the professionals offered it are told, the patient's data cleared.</summary>
    public async Task OnPostWithdrawAsync(string requestId, CancellationToken ct)
    {
        var result = await requests.WithdrawAsync(requestId, Caller.From(User), ct);
        Done = result.Succeeded ? "Demande retirée : les professionnels à qui elle était proposée en sont informés." : null;
        Problem = result.Succeeded ? null : $"Demande non retirée : {FrenchText.Of(result)}.";
        await OnGetAsync(ct);
    }

    /// <summary>Where the request stands, in French.</summary>
    public static string Status(Line line) => line.Request.Status switch
    {
        RequestStatus.Open => $"ouverte, proposée à {FrenchText.Professionals(line.Request.Offered)}",
        RequestStatus.Accepted => (line.AcceptedBy is { } p ? $"acceptée par {p.FirstName} {p.LastName} ({Domain.Professions.Professions.LabelOf(p.Profession)})" : "acceptée")
            + (line.Booking is { Start: { } start } b ? $" : rendez-vous {RegulationModel.Local(start, b.TimeZone)}, patient {b.Patient.LastName} {b.Patient.FirstName}" : ""),
        RequestStatus.Expired => "expirée : personne ne l'a acceptée à temps",
        RequestStatus.Withdrawn => "retirée",
        _ => line.Request.Status,
    };
}
