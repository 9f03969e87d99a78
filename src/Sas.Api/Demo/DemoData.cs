using Sas.Api.Clients;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;
using Sas.Api.Reference;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Slots;

namespace Sas.Api.Demo;

/// <summary>
/// Demo data for a newcomer's first run: Loire-Atlantique's communes grouped into sectors by postal
/// area, one CPTS, a handful of GPs with slots over the next two days, and one API key per role.
/// Safe to run at every start: upserts, key creation only when missing, and a slot sync that
/// leaves an identical window unchanged.
/// </summary>
public sealed class DemoData(TerritoryStore territory, PractitionerStore practitioners, SlotStore slots, ClientStore clients,
    Geography geography, TimeProvider clock, ILogger<DemoData> logger, Reports.StatsStore stats)
{
    public const string Department = "44";
    public static readonly string CptsFiness = "44000001" + Luhn.CheckDigit("44000001");

    /// <summary>The demo keys, printed in the README. Never enabled outside Development.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        [Roles.Admin] = "demo-admin-key",
        [Roles.Practitioner] = "demo-practitioner-key",
        [Roles.Regulator] = "demo-regulator-key",
        [Roles.Cpts] = "demo-cpts-key",
    };

    private static readonly (string First, string Last, string Commune, string PostalCode, string Address)[] Gps =
    [
        ("Claire", "Martin", "44109", "44000", "12 rue de Strasbourg"),
        ("Youssef", "Benali", "44109", "44000", "4 place du Commerce"),
        ("Anne", "Le Goff", "44184", "44600", "20 avenue de la République"),
        ("Thomas", "Guérin", "44143", "44400", "3 rue de la Paix"),
        ("Sophie", "Morel", "44162", "44800", "7 boulevard Gabriel Guist'hau"),
        ("Julien", "Roux", "44020", "44340", "15 rue Nationale"),
    ];

    /// <summary>A made-up SIRET with a valid key, one per demo practice.</summary>
    private static string SiretOf(int index) => $"9000000{index:D3}000" + Luhn.CheckDigit($"9000000{index:D3}000");

    /// <summary>
    /// Eight weeks of figures before today, so the CPTS dashboard has something to show on a first run: two slots an
    /// hour at 09:00, 14:00 and 17:00 local on weekdays, the mornings mostly left empty (the pattern the field reports),
    /// the afternoons mostly filled. Written as the statistics job writes them; the job's own runs recompute only the
    /// last days, from the bookings.
    /// </summary>
    private async Task SeedHistoryAsync(IReadOnlyList<(string Rpps, string Sector)> gps, DateTime localToday, TimeZoneInfo zone, CancellationToken ct)
    {
        var hourly = new List<Reports.HourlyRow>();
        var delays = new List<Reports.DelayRow>();
        var firstDay = localToday.AddDays(-56);
        for (var day = firstDay; day < localToday; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            foreach (var (gp, index) in gps.Select((g, i) => (g, i)))
                foreach (var hour in new[] { 9, 14, 17 })
                {
                    var local = day.AddHours(hour);
                    var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
                    var seed = day.DayOfYear * 7 + index * 3 + hour;
                    var booked = hour == 9 ? (seed % 4 == 0 ? 1 : 0) : hour == 14 ? 2 - (seed % 5 == 0 ? 1 : 0) : 2 - (seed % 3 == 0 ? 1 : 0);
                    var noShow = booked > 0 && seed % 11 == 0 ? 1 : 0;
                    hourly.Add(new Reports.HourlyRow(gp.Sector, gp.Rpps, utc, 2, booked, 2 - booked, 40, booked - noShow, noShow, 0, 0, booked,
                        seed % 4 == 1 ? booked : 0, 0, booked,
                        Domain.Reports.Buckets.Day(local), Domain.Reports.Buckets.Week(local), Domain.Reports.Buckets.Month(local),
                        Domain.Reports.Buckets.IsoWeekday(local), hour));
                    if (booked > 0) delays.Add(new Reports.DelayRow(gp.Sector, gp.Rpps, utc, 90 + seed % 7 * 60, booked));
                }
        }
        var from = TimeZoneInfo.ConvertTimeToUtc(firstDay, zone);
        var to = TimeZoneInfo.ConvertTimeToUtc(localToday, zone);
        await stats.ReplaceAsync(from, to, hourly, delays, to, ct);
    }

    public static string RppsOf(int index) => $"100000{index:D3}0" + Luhn.CheckDigit($"100000{index:D3}0");

    public async Task SeedAsync(CancellationToken ct)
    {
        var sectors = BuildSectors();
        await territory.UpsertCptsAsync(CptsFiness, "CPTS Loire-Atlantique (démo)", [], ClientStore.Startup, ct);
        foreach (var (code, name, communes) in sectors)
            await territory.UpsertSectorAsync(new SectorRow(code, name, Department, Sas.Domain.Time.Zones.Mainland, 24, CptsFiness), communes, ClientStore.Startup, ct);
        await territory.UpsertCptsAsync(CptsFiness, "CPTS Loire-Atlantique (démo)", sectors.Select(s => s.Code).ToList(), ClientStore.Startup, ct);

        var paris = Sas.Domain.Time.Zones.Find(Sas.Domain.Time.Zones.Mainland);
        var localToday = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), paris).Date;
        var windowStart = TimeZoneInfo.ConvertTimeToUtc(localToday, paris);
        var rppsList = new List<string>();
        for (var i = 0; i < Gps.Length; i++)
        {
            var gp = Gps[i];
            var rpps = RppsOf(i + 1);
            rppsList.Add(rpps);
            var sector = sectors.First(s => s.Communes.Contains(gp.Commune)).Code;
            var site = new PractitionerSiteRow(rpps, "cabinet", $"Cabinet du Dr {gp.Last}", gp.Address, gp.Commune, gp.PostalCode,
                "3" + SiretOf(i + 1), $"https://agenda.example.org/{rpps}/rendez-vous?creneau={{slotId}}");
            await practitioners.UpsertAsync(new PractitionerRow(rpps, gp.First, gp.Last, "general_practitioner", 2), [sector], [site], ClientStore.Startup, ct);
            await slots.SyncAsync(rpps, DemoSlots(rpps, sector, i, localToday, paris), windowStart, windowStart.AddDays(3), ClientStore.Startup, ct);
        }

        await SeedHistoryAsync(rppsList.Select((rpps, i) => (rpps, sectors.First(x => x.Communes.Contains(Gps[i].Commune)).Code)).ToList(), localToday, paris, ct);

        await clients.EnsureKeyAsync("Demo admin", Roles.Admin, [], Keys[Roles.Admin], ct);
        await clients.EnsureKeyAsync("Demo practice software", Roles.Practitioner, rppsList, Keys[Roles.Practitioner], ct);
        await clients.EnsureKeyAsync("Demo SAS 44 regulation", Roles.Regulator, [Department], Keys[Roles.Regulator], ct);
        await clients.EnsureKeyAsync("Demo CPTS staff", Roles.Cpts, [CptsFiness], Keys[Roles.Cpts], ct);
        logger.LogInformation("Demo data ready: {Sectors} sectors and {Practitioners} GPs in département {Department}", sectors.Count, Gps.Length, Department);
    }

    /// <summary>Sectors by postal area (440xx, 441xx, ...): a rough but real grouping of neighbouring communes.</summary>
    private List<(string Code, string Name, string[] Communes)> BuildSectors() =>
        geography.Communes
            .Where(c => c.Department == Department && c.Type == "commune" && c.PostalCodes.Length > 0)
            .GroupBy(c => c.PostalCodes[0][..3])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ($"44-{g.Key}", $"Loire-Atlantique, secteur {g.Key}xx", g.Select(c => c.InseeCode).Order(StringComparer.Ordinal).ToArray()))
            .ToList();

    /// <summary>Three 20-minute slots a day for today and the next two days, in Paris time; each GP a little apart.</summary>
    private List<IncomingSlot> DemoSlots(string rpps, string sector, int gpIndex, DateTime localToday, TimeZoneInfo paris)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var result = new List<IncomingSlot>();
        for (var day = 0; day < 3; day++)
        {
            foreach (var hour in new[] { 9.0, 14.0, 17.5 })
            {
                var local = localToday.AddDays(day).AddHours(hour).AddMinutes(gpIndex * 10);
                var start = TimeZoneInfo.ConvertTimeToUtc(local, paris);
                if (start <= now) continue;
                result.Add(new IncomingSlot($"demo-{rpps}-{local:yyyyMMddHHmm}",
                    new SlotSpec(start, start.AddMinutes(20), sector, "cabinet", gpIndex == 5 && hour > 17 ? Modality.Teleconsultation : Modality.InPerson)));
            }
        }
        return result;
    }
}
