using System.Data;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Infrastructure.Outbox;
using Sas.Api.Slots;

namespace Sas.Bench;

/// <summary>The database work of one booking: through the API's stores, and the same statements bare.</summary>
public sealed record BookingWorkResult(int Bookings, double StoreMicroseconds, double BareMicroseconds, double BareUnpreparedMicroseconds)
{
    public double Ratio => Math.Round(StoreMicroseconds / BareMicroseconds, 1);
}

/// <summary>
/// Issue #20's question for a booking: what does the API's data layer add to the statements themselves? One booking of
/// a free slot, timed through the stores a request uses (the slot read on a pooled connection; then, on SQLite's
/// writer, in its own savepoint of a transaction it may share, the idempotency key read, the slot's conditional
/// <c>UPDATE … RETURNING</c>, the booking, its audit row, its outbox event and the stored answer, all through Dapper),
/// and as the same seven statements on one open connection, each prepared once, in a transaction of its own: the floor
/// SQLite itself sets, the commit's sync to disk included on both sides. Then bare with the commands made anew for each
/// booking, as the stores' are (Microsoft.Data.Sqlite keeps no prepared statement across commands): preparation's share.
/// </summary>
public static class BookingWork
{
    public static async Task<BookingWorkResult?> MeasureAsync(BenchDatabase database, int runs = 300)
    {
        if (!database.IsSqlite) return null;
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = database.ConnectionString };
        await using var db = new Db(options);
        var clock = TimeProvider.System;
        var audit = new Audit(db, clock);
        var slots = new SlotStore(db, clock, audit);
        var bookings = new BookingStore(db, clock, audit, new Outbox(clock));
        var idempotency = new Idempotency(db, clock);
        var caller = new Caller("bench-booking-work", Roles.Admin, new HashSet<string>());
        var window = new BookingOptions().WindowFor(168);
        var now = DateTime.UtcNow;

        // Free slots between two and a hundred hours ahead, three for each booking measured (stores, bare, bare unprepared).
        List<long> free;
        using (var c = database.Open())
            free = c.Query<long>("SELECT id FROM slots WHERE status = 'available' AND start_utc >= @from AND start_utc <= @until ORDER BY id LIMIT @n",
                new { from = now.AddHours(2), until = now.AddHours(100), n = 3 * (runs + 30) }).AsList();
        if (free.Count < 3 * (runs + 30)) return null;

        BookingRow Draft(DateTime at) => new(Guid.NewGuid().ToString(), null, "", "", null, null, null, 0, null, "booked", null, "sas", "has", 1, at,
            "DUPONT", "Jeanne", "1980-04-12", "0601020304", "44109", null, null, "Fièvre depuis trois jours", caller.ClientId, at,
            null, null, null, null, 0, null, at);

        async Task ThroughStores(long id)
        {
            var slot = await slots.GetAsync(id, default) ?? throw new InvalidOperationException($"slot {id} vanished");
            var outcome = await idempotency.RunAsync(caller.ClientId, Guid.NewGuid().ToString(), "bench", async (c, tx) =>
            {
                var result = await bookings.BookSlotAsync(c, tx, slot, window, null, Draft(DateTime.UtcNow), caller, default);
                if (result.Booking is null) throw new InvalidOperationException($"slot {id} refused: {result.Refusal}");
                return new StoredAnswer(201, "{}");
            }, default);
            if (outcome.Kind != Idempotency.Kind.Fresh) throw new InvalidOperationException("the key was not fresh");
        }

        // Bare: the same texts on one connection configured as the API's (foreign keys on), each command prepared once.
        using var bare = new SqliteConnection(database.ConnectionString);
        bare.Open();
        using (var pragma = bare.CreateCommand())
        {
            pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000";
            pragma.ExecuteNonQuery();
        }
        var d = SqlDialect.Sqlite;
        SqliteCommand[] Commands() =>
        [
            Prepared(bare, new SlotStore.Sql(d).SelectById), Prepared(bare, new Idempotency.Sql(d).Select), Prepared(bare, new BookingStore.Sql(d).BookSlot),
            Prepared(bare, new BookingStore.Sql(d).InsertBooking), Prepared(bare, new Audit.Sql(d).Insert), Prepared(bare, new Outbox.Sql().Insert),
            Prepared(bare, new Idempotency.Sql(d).Insert),
        ];
        var kept = Commands();
        long sink = 0;
        void Bare(long id, SqliteCommand[] commands)
        {
            var (selectSlot, selectKey, book, insertBooking, insertAudit, insertEvent, insertKey) =
                (commands[0], commands[1], commands[2], commands[3], commands[4], commands[5], commands[6]);
            var at = DateTime.UtcNow;
            var key = Guid.NewGuid().ToString();
            Bind(selectSlot, new { id });
            using (var r = selectSlot.ExecuteReader()) while (r.Read()) sink += r.FieldCount;
            using var tx = bare.BeginTransaction();
            foreach (var command in new[] { selectKey, book, insertBooking, insertAudit, insertEvent, insertKey }) command.Transaction = tx;
            Bind(selectKey, new { client = caller.ClientId, key });
            using (var r = selectKey.ExecuteReader()) if (r.Read()) throw new InvalidOperationException("a fresh key was found");
            Bind(book, new { id, sector = SectorOf(id), holdId = (string?)null, client = caller.ClientId, now = at, earliest = window.EarliestStart(at), latest = window.LatestStart(at) });
            DateTime start, end;
            string rpps, sector, site;
            using (var r = book.ExecuteReader())
            {
                if (!r.Read()) throw new InvalidOperationException($"slot {id} refused bare");
                (rpps, sector, site, start, end) = (r.GetString(0), r.GetString(1), r.GetString(2), StoredInstant.Parse(r.GetString(3)), StoredInstant.Parse(r.GetString(4)));
            }
            var booking = Draft(at) with { SlotId = id, Rpps = rpps, SectorCode = sector, SiteId = site, StartUtc = start, EndUtc = end };
            Bind(insertBooking, booking);
            insertBooking.ExecuteNonQuery();
            Bind(insertAudit, new { at, clientId = caller.ClientId, role = caller.Role, action = "create", entity = "booking", entityId = booking.Id, traceId = (string?)null });
            insertAudit.ExecuteNonQuery();
            Bind(insertEvent, new { eventId = Guid.NewGuid().ToString(), Type = EventTypes.BookingCreated, BookingId = booking.Id, SlotId = (long?)id, Rpps = rpps, PreviousRpps = (string?)null, ClientId = caller.ClientId, RequestId = (string?)null,
                payload = "{\"id\":\"x\",\"type\":\"booking.created\",\"data\":{\"bookingId\":\"" + booking.Id + "\",\"slotId\":" + id + "}}", at });
            insertEvent.ExecuteNonQuery();
            Bind(insertKey, new { client = caller.ClientId, key, hash = "bench", status = 201L, body = "{}", now = at, expires = at.AddDays(1) });
            insertKey.ExecuteNonQuery();
            tx.Commit();
        }
        var sectors = new Dictionary<long, string>();
        using (var c = database.Open())
            foreach (var row in c.Query<(long Id, string Sector)>("SELECT id, sector_code FROM slots WHERE id IN (SELECT value FROM json_each(@ids))",
                new { ids = System.Text.Json.JsonSerializer.Serialize(free) }))
                sectors[row.Id] = row.Sector;
        string SectorOf(long id) => sectors[id];

        // The three ways in turn, booking after booking, so the disk's moods (each commit waits for its sync) fall on all
        // three alike; the median of each, since a sync now and then takes ten times the others.
        var (store, prepared, unprepared) = (new List<double>(), new List<double>(), new List<double>());
        for (var i = 0; i < runs + 30; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await ThroughStores(free[3 * i]);
            var stored = Stopwatch.GetTimestamp();
            Bare(free[3 * i + 1], kept);
            var bared = Stopwatch.GetTimestamp();
            var fresh = Commands();
            Bare(free[3 * i + 2], fresh);
            foreach (var command in fresh) command.Dispose();
            var done = Stopwatch.GetTimestamp();
            if (i < 30) continue; // warm-up
            store.Add(Stopwatch.GetElapsedTime(started, stored).TotalMicroseconds);
            prepared.Add(Stopwatch.GetElapsedTime(stored, bared).TotalMicroseconds);
            unprepared.Add(Stopwatch.GetElapsedTime(bared, done).TotalMicroseconds);
        }
        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        var (storeUs, bareUs, unpreparedUs) = (Median(store), Median(prepared), Median(unprepared));
        GC.KeepAlive(sink);
        return new BookingWorkResult(runs, Math.Round(storeUs, 1), Math.Round(bareUs, 1), Math.Round(unpreparedUs, 1));
    }

    private static readonly Dictionary<string, string[]> NamesOf = [];

    /// <summary>A command with a parameter for every name its text uses (found once per text), prepared at its first run.</summary>
    private static SqliteCommand Prepared(SqliteConnection c, string text)
    {
        if (!NamesOf.TryGetValue(text, out var names))
            NamesOf[text] = names = [.. Regex.Matches(text, @"@\w+").Select(m => m.Value).Distinct()];
        var command = c.CreateCommand();
        command.CommandText = text;
        foreach (var name in names) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private static readonly Dictionary<Type, Dictionary<string, System.Reflection.PropertyInfo>> PropertiesOf = [];

    /// <summary>Each parameter from the property of its name (instants as the API's handler sends them).</summary>
    private static void Bind(SqliteCommand command, object values)
    {
        var type = values.GetType();
        if (!PropertiesOf.TryGetValue(type, out var properties))
            PropertiesOf[type] = properties = type.GetProperties().ToDictionary(p => "@" + p.Name, StringComparer.Ordinal);
        foreach (SqliteParameter p in command.Parameters)
        {
            var value = properties[p.ParameterName].GetValue(values);
            if (value is DateTime instant) Db.SetInstant(p, instant);
            else
            {
                p.DbType = value switch { long or int => DbType.Int64, _ => DbType.String };
                p.Value = value ?? DBNull.Value;
            }
        }
    }
}
