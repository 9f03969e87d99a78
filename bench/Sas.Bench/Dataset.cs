using System.Diagnostics;
using System.Data.Common;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;

namespace Sas.Bench;

/// <summary>What the load needs to know about the generated data.</summary>
public sealed record DatasetInfo(
    long Slots, int Practitioners, int Sectors, string[] PostalCodes, string[] SyncPractitioners, string[] SyncSectors,
    string CptsFiness, TimeSpan LoadTime);

/// <summary>
/// A national-shaped dataset written straight into the database (SQLite or PostgreSQL): one sector per département and postal area
/// (from the reference communes), one CPTS per département, GPs spread over communes by population,
/// three 20-minute slots a day each over 14 days (two days past, twelve ahead), about 30 % of past slots
/// and 10 % of future ones booked.
/// </summary>
public static class Dataset
{
    public const int SlotsPerDay = 3;
    public const int Days = 14;

    public static DatasetInfo Generate(BenchDatabase database, long targetSlots, DateTime nowUtc, int syncPractitioners, int seed = 42)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var geography = Geography.LoadEmbedded();
        var communes = geography.Communes.Where(c => c.Type == "commune" && c.PostalCodes.Length > 0 && c.Population > 0).ToList();
        var sectorOf = communes.ToDictionary(c => c.InseeCode, c => $"B-{c.Department}-{c.PostalCodes[0][..3]}");
        var sectors = communes.GroupBy(c => sectorOf[c.InseeCode]).ToList();
        var practitioners = (int)Math.Max(1, targetSlots / (SlotsPerDay * Days));

        // Cumulative population, to place each GP in a commune with a probability proportional to its people.
        var cumulative = new long[communes.Count];
        long total = 0;
        for (var i = 0; i < communes.Count; i++) cumulative[i] = total += communes[i].Population;

        using var c = database.Open();
        if (database.IsSqlite) Exec(c, "PRAGMA synchronous = OFF");
        using var tx = c.BeginTransaction();
        var now = nowUtc;

        // A CPTS is a territory of a few sectors (tens to a few hundred GPs), not a whole département.
        var cptsOf = new Dictionary<string, string>();
        var territories = 0;
        foreach (var department in sectors.GroupBy(s => s.First().Department))
            foreach (var chunk in department.Chunk(5))
            {
                var payload = $"9{territories++:D7}";
                var finess = payload + Luhn.CheckDigit(payload);
                Insert(c, tx, "INSERT INTO cpts (finess, name, updated_at) VALUES ($1, $2, $3)", finess, $"CPTS {department.Key}-{territories}", now);
                foreach (var s in chunk) cptsOf[s.Key] = finess;
            }
        using (var sector = Prepare(c, tx, "INSERT INTO sectors (code, name, department, time_zone, booking_horizon_hours, cpts_finess, updated_at) VALUES ($1, $2, $3, $4, 24, $5, $6)", 6))
        using (var member = Prepare(c, tx, "INSERT INTO sector_communes (sector_code, insee_code) VALUES ($1, $2)", 2))
            foreach (var s in sectors)
            {
                var department = s.First().Department;
                Run(sector, s.Key, $"Secteur {s.Key}", department, geography.FindDepartment(department)?.TimeZone ?? "Europe/Paris", cptsOf[s.Key], now);
                foreach (var commune in s) Run(member, s.Key, commune.InseeCode);
            }

        var gpSectors = new string[practitioners];
        var gpRpps = new string[practitioners];
        using (var gp = Prepare(c, tx, "INSERT INTO practitioners (rpps, first_name, last_name, profession, overflow_per_day, updated_at) VALUES ($1, 'Bench', $2, 'general_practitioner', 50, $3)", 3))
        using (var gpSector = Prepare(c, tx, "INSERT INTO practitioner_sectors (rpps, sector_code) VALUES ($1, $2)", 2))
        using (var site = Prepare(c, tx, "INSERT INTO practitioner_sites (rpps, site_id, name, address, commune) VALUES ($1, 'cab', 'Cabinet', '1 rue de la Santé', $2)", 2))
            for (var i = 0; i < practitioners; i++)
            {
                var index = Array.BinarySearch(cumulative, (long)(random.NextDouble() * total));
                var commune = communes[index < 0 ? ~index : index];
                var payload = $"3{i:D9}";
                gpRpps[i] = payload + Luhn.CheckDigit(payload);
                gpSectors[i] = sectorOf[commune.InseeCode];
                Run(gp, gpRpps[i], $"Docteur{i}", now);
                Run(gpSector, gpRpps[i], gpSectors[i]);
                Run(site, gpRpps[i], commune.InseeCode);
            }

        long slots = 0;
        var today = now.Date;
        using (var slot = Prepare(c, tx, """
            INSERT INTO slots (rpps, sector_code, site_id, start_utc, end_utc, modality, external_id, status, created_at, updated_at)
            VALUES ($1, $2, 'cab', $3, $4, 'in_person', $5, $6, $7, $7) RETURNING id
            """, 7))
        using (var booking = Prepare(c, tx, """
            INSERT INTO bookings (id, slot_id, rpps, sector_code, site_id, start_utc, end_utc, overflow, status, origin, regular_doctor,
                                  regular_doctor_contacted, requested_at, patient_last_name, patient_first_name, patient_birth_date, patient_phone,
                                  patient_commune, reason, booked_by_client, created_at, slot_released, updated_at, gp_is_regular_doctor)
            VALUES ($1, $2, $3, $4, 'cab', $5, $6, 0, 'booked', 'sas', 'has', 1, $7, 'Bench', 'Patient', '1980-01-01', '+33600000000', '44109', 'bench', 'bench', $7, 0, $7, 0)
            """, 7))
            for (var i = 0; i < practitioners && slots < targetSlots; i++)
                for (var day = -2; day < Days - 2 && slots < targetSlots; day++)
                    foreach (var hour in new[] { 8, 13, 16 }) // 09:00, 14:00, 17:00 in Paris (UTC+1); other zones are offered at other local hours
                    {
                        if (slots >= targetSlots) break;
                        var start = today.AddDays(day).AddHours(hour).AddMinutes(10 * (i % 4));
                        var past = start < now;
                        var booked = random.NextDouble() < (past ? 0.3 : 0.1);
                        var status = booked ? "booked" : past ? "expired" : "available";
                        var id = (long)Run(slot, gpRpps[i], gpSectors[i], start, start.AddMinutes(20), $"b{day + 2}-{hour}", status, now)!;
                        if (booked) Run(booking, $"bench-{id}", id, gpRpps[i], gpSectors[i], start, start.AddMinutes(20), start.AddHours(-2));
                        slots++;
                    }
        // The change feed's rows for a million inserts: no node has read the feed yet, so none needs them (the API's
        // expiry job would prune them within the hour).
        tx.Commit();
        Exec(c, "DELETE FROM slot_changes");
        Exec(c, database.IsSqlite ? "PRAGMA optimize" : "ANALYZE");

        // Where regulators search: postal codes of the sectors that have GPs, the busiest first.
        var gpsPerSector = gpSectors.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var postal = sectors.Where(s => gpsPerSector.ContainsKey(s.Key)).OrderByDescending(s => gpsPerSector[s.Key])
            .SelectMany(s => s.Select(x => x.PostalCodes[0])).Distinct().Take(300).ToArray();
        var sync = Enumerable.Range(0, Math.Min(syncPractitioners, practitioners)).Select(i => i * (practitioners / Math.Max(1, Math.Min(syncPractitioners, practitioners)))).ToArray();
        var busiest = cptsOf[sectors.OrderByDescending(s => s.Sum(x => x.Population)).First().Key];
        return new DatasetInfo(slots, practitioners, sectors.Count, postal, sync.Select(i => gpRpps[i]).ToArray(), sync.Select(i => gpSectors[i]).ToArray(), busiest, clock.Elapsed);
    }

    private static void Exec(DbConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static void Insert(DbConnection c, DbTransaction tx, string sql, params object[] values)
    {
        using var cmd = Prepare(c, tx, sql, values.Length);
        Run(cmd, values);
    }

    /// <summary>A statement with parameters <c>@p1</c>… (SQLite prepares it here; Npgsql once it has run a few times).</summary>
    private static DbCommand Prepare(DbConnection c, DbTransaction tx, string sql, int parameters)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = System.Text.RegularExpressions.Regex.Replace(sql, @"\$(\d+)", "@p$1");
        for (var p = 1; p <= parameters; p++)
        {
            var parameter = cmd.CreateParameter();
            parameter.ParameterName = "p" + p;
            cmd.Parameters.Add(parameter);
        }
        if (c is Microsoft.Data.Sqlite.SqliteConnection) cmd.Prepare();
        return cmd;
    }

    private static object? Run(DbCommand cmd, params object[] values)
    {
        for (var p = 0; p < values.Length; p++) cmd.Parameters[p].Value = values[p];
        return cmd.CommandText.Contains("RETURNING", StringComparison.Ordinal) ? cmd.ExecuteScalar() : cmd.ExecuteNonQuery();
    }
}
