using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Bookings;
using Sas.Domain.Slots;
using Sas.Domain.Time;

namespace Sas.Api.Console;

/// <summary>A published slot, its sector's time zone, and the SAS booking on it if any.</summary>
public sealed record SlotLine(SlotRow Slot, string TimeZone, BookingDto? Booking)
{
    /// <summary>The live booking: a cancelled one is shown as such, not as the slot's patient.</summary>
    public BookingDto? Live => Booking is { Status: not BookingStatus.Cancelled } live ? live : null;

    /// <summary>The slot's state as the practice reads it.</summary>
    public string State(DateTime now) => Live is not null ? "réservé par le SAS"
        : Slot.EffectiveStatus(now) switch
        {
            SlotStatus.Held => "tenu par un régulateur",
            SlotStatus.Booked => "réservé par le SAS",
            SlotStatus.Withdrawn => "retiré",
            SlotStatus.Expired => "passé sans réservation",
            _ => "disponible",
        } + (Booking is not null ? " (rendez-vous SAS annulé)" : "");
}

/// <summary>One GP's slots and overflow bookings over a period, or why they could not be read.</summary>
public sealed record GpView(Practitioner Gp, IReadOnlyList<SlotLine> Slots, IReadOnlyList<BookingDto> Overflow, string? Problem);

/// <summary>
/// What a practice sees of its GPs over a period: their slots with each one's SAS booking, patients included, read
/// through the API's own bookings service (each read audited), and their overflow bookings. The practice's page and its
/// week read it alike.
/// </summary>
public sealed class PracticeView(PractitionerStore practitioners, SlotStore slots, TerritoryStore territory, BookingService bookings)
{
    public async Task<IReadOnlyList<GpView>> LoadAsync(Caller caller, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var list = new List<GpView>();
        foreach (var rpps in caller.Scope.Order(StringComparer.Ordinal))
        {
            if (await practitioners.GetAsync(rpps, ct) is not { } gp) continue;
            var gpBookings = new List<BookingDto>();
            string? after = null, problem = null;
            do
            {
                var page = await bookings.ListForPractitionerAsync(rpps, Instants.Format(fromUtc), Instants.Format(toUtc), 100, after, caller, ct);
                if (!page.Succeeded)
                {
                    problem = FrenchText.Of(page);
                    break;
                }
                gpBookings.AddRange(page.Value.Items);
                after = page.Value.Next;
            } while (after is not null);
            if (problem is not null)
            {
                list.Add(new GpView(gp, [], [], problem));
                continue;
            }
            // The live booking of each slot: a cancelled one is shown only where no later booking took the slot again.
            var bySlot = gpBookings.Where(b => b.SlotId is not null)
                .GroupBy(b => b.SlotId!.Value)
                .ToDictionary(g => g.Key, g => g.OrderBy(b => b.Status == BookingStatus.Cancelled).First());
            var lines = new List<SlotLine>();
            foreach (var slot in await slots.ListAsync(rpps, fromUtc, toUtc, ct))
            {
                // The node's territory copy, as the search reads it: a database read per slot shown was for one zone.
                var zone = territory.TimeZoneOf(await territory.CachedSectorAsync(slot.SectorCode, ct));
                lines.Add(new SlotLine(slot, zone, bySlot.GetValueOrDefault(slot.Id)));
            }
            list.Add(new GpView(gp, lines, gpBookings.Where(b => b.SlotId is null).ToList(), null));
        }
        return list;
    }
}
