using System.Reflection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// No SQL Server runs on our machines, so every statement meant for it is at least parsed here:
/// each migration script, and each statement of every store's nested <c>Sql</c> class built with the
/// SQL Server dialect. Statement builders that take arguments need a sample call listed below; a new
/// one without a sample fails the test, so nothing the application can issue goes unparsed.
/// </summary>
public partial class SqlServerStatementTests
{
    /// <summary>Sample calls of the statement builders, covering each shape they can produce.</summary>
    private static readonly Dictionary<string, Func<object, IEnumerable<string>>> Builders = new()
    {
        ["SearchStore+Sql.Search"] = sql =>
            from sectors in new[] { 1, 3 }
            from modality in new[] { false, true }
            from after in new[] { false, true }
            from professions in new[] { 0, 2 }
            select ((Sas.Api.Search.SearchStore.Sql)sql).Search(sectors, modality, after, professions, specialty: professions == 2),
        ["RequestStore+Sql.Candidates"] = sql => [((Sas.Api.Requests.RequestStore.Sql)sql).Candidates(false), ((Sas.Api.Requests.RequestStore.Sql)sql).Candidates(true)],
        ["PractitionerStore+Sql.SelectTakingOverflow"] = sql => [((Sas.Api.Practitioners.PractitionerStore.Sql)sql).SelectTakingOverflow(false), ((Sas.Api.Practitioners.PractitionerStore.Sql)sql).SelectTakingOverflow(true)],
        ["RequestStore+Sql.Withdraw"] = sql => [((Sas.Api.Requests.RequestStore.Sql)sql).Withdraw(false), ((Sas.Api.Requests.RequestStore.Sql)sql).Withdraw(true)],
        ["BookingStore+Sql.ListForPractitioner"] = sql => [((Sas.Api.Bookings.BookingStore.Sql)sql).ListForPractitioner(false), ((Sas.Api.Bookings.BookingStore.Sql)sql).ListForPractitioner(true)],
        ["WebhookStore+Sql.ListDeliveries"] = sql => from client in new[] { false, true } from status in new[] { false, true } select ((Sas.Api.Notifications.WebhookStore.Sql)sql).ListDeliveries(client, status),
        ["WebhookStore+Sql.Retry"] = sql => [((Sas.Api.Notifications.WebhookStore.Sql)sql).Retry(false), ((Sas.Api.Notifications.WebhookStore.Sql)sql).Retry(true)],
        ["Audit+Sql.Read"] = sql => from entity in new[] { false, true } from id in new[] { false, true } select ((Sas.Api.Infrastructure.Audit.Audit.Sql)sql).Read(entity, id),
        ["RegulatorStore+Sql.ByIdentifier"] = sql => [((Sas.Api.Regulators.RegulatorStore.Sql)sql).ByIdentifier(false), ((Sas.Api.Regulators.RegulatorStore.Sql)sql).ByIdentifier(true)],
        ["StatsStore+Sql.Grouped"] = sql => from k in Enum.GetValues<Sas.Api.Reports.ReportKey>() from p in new[] { false, true } select ((Sas.Api.Reports.StatsStore.Sql)sql).Grouped(k, p),
        ["StatsStore+Sql.IndicatorsByProfession"] = sql => [((Sas.Api.Reports.StatsStore.Sql)sql).IndicatorsByProfession(false), ((Sas.Api.Reports.StatsStore.Sql)sql).IndicatorsByProfession(true)],
        ["StatsStore+Sql.DelaysByProfession"] = sql => [((Sas.Api.Reports.StatsStore.Sql)sql).DelaysByProfession(false), ((Sas.Api.Reports.StatsStore.Sql)sql).DelaysByProfession(true)],
        ["StatsStore+Sql.PooledRequests"] = sql => [((Sas.Api.Reports.StatsStore.Sql)sql).PooledRequests(false), ((Sas.Api.Reports.StatsStore.Sql)sql).PooledRequests(true)],
    };

    public static IEnumerable<(string Name, string Text)> ApplicationStatements()
    {
        var assembly = typeof(SqlDialect).Assembly;
        foreach (var type in assembly.GetTypes().Where(t => t.Name == "Sql" && t.IsNested && t.DeclaringType is not null))
        {
            var ctor = type.GetConstructors().Single();
            var instance = ctor.Invoke(ctor.GetParameters().Length == 1 ? [SqlDialect.SqlServer] : []);
            var owner = $"{type.DeclaringType!.Name}+Sql";
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)))
                yield return ($"{owner}.{property.Name}", (string)property.GetValue(instance)!);
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => m.ReturnType == typeof(string) && !m.IsSpecialName))
            {
                var key = $"{owner}.{method.Name}";
                Assert.True(Builders.ContainsKey(key), $"{key} builds SQL but has no sample call in {nameof(SqlServerStatementTests)}.{nameof(Builders)}");
                var i = 0;
                foreach (var text in Builders[key](instance)) yield return ($"{key}#{i++}", text);
            }
        }
    }

    [Fact]
    public void Every_sql_server_migration_parses()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "db", "migrations", "sqlserver"), "*.sql").Order().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files) AssertParses(Path.GetFileName(file), File.ReadAllText(file));
    }

    [Fact]
    public void Every_statement_the_application_issues_parses_as_t_sql()
    {
        var statements = ApplicationStatements().ToList();
        Assert.True(statements.Count >= 40, $"only {statements.Count} statements found");
        foreach (var (name, text) in statements) AssertParses(name, text);
    }

    [Fact]
    public void The_sql_server_migration_creates_the_filtered_search_index()
    {
        var file = Path.Combine(Repository.Root, "db", "migrations", "sqlserver", "0001_territory_practitioners_slots.sql");
        var text = File.ReadAllText(file);
        var script = (TSqlScript)Parse(text, out var errors);
        Assert.Empty(errors);
        var index = script.Batches.SelectMany(b => b.Statements).OfType<CreateIndexStatement>().Single(i => i.Name.Value == "ix_slots_search");
        Assert.Equal("slots", index.OnName.BaseIdentifier.Value);
        Assert.Equal(["sector_code", "start_utc", "id"], index.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers.Last().Value));
        Assert.NotNull(index.FilterPredicate); // filtered on the bookable statuses, like SQLite's partial index
        var filter = text[index.FilterPredicate.StartOffset..(index.FilterPredicate.StartOffset + index.FilterPredicate.FragmentLength)];
        Assert.Contains("'available'", filter);
        Assert.Contains("'held'", filter);
    }

    /// <summary>docs/isolation.md, rule 3: the reads that decide a write, locked until the transaction ends.</summary>
    private static readonly HashSet<string> LockedReads =
    [
        "SlotStore+Sql.SelectOverlapping", "SlotStore+Sql.SelectWindowForSync", "SlotStore+Sql.SelectNamedOutsideWindow",
        "SlotStore+Sql.LockPractitioner", "Idempotency+Sql.Select", "BookingStore+Sql.SelectBookingLocked",
        "RuleStore+Sql.LockPractitioners", "RuleStore+Sql.SlotsOfGps",
    ];

    /// <summary>docs/isolation.md, rule 5: queued work claimed, skipping what another node holds.</summary>
    private static readonly HashSet<string> Claims = ["WebhookStore+Sql.ClaimEvents"];

    [Fact]
    public void Locking_hints_are_where_the_isolation_rules_put_them_and_nowhere_else()
    {
        foreach (var (name, text) in ApplicationStatements())
        {
            var hints = TableHints(text);
            Assert.DoesNotContain(TableHintKind.NoLock, hints);
            Assert.DoesNotContain(TableHintKind.ReadUncommitted, hints);
            Assert.DoesNotContain("SET TRANSACTION ISOLATION", text, StringComparison.OrdinalIgnoreCase);
            if (LockedReads.Contains(name))
                Assert.True(hints.Contains(TableHintKind.UpdLock) && hints.Contains(TableHintKind.HoldLock), $"{name} decides a write: it needs UPDLOCK, HOLDLOCK");
            else if (Claims.Contains(name))
                Assert.True(hints.Contains(TableHintKind.UpdLock) && hints.Contains(TableHintKind.ReadPast), $"{name} claims work: it needs UPDLOCK, READPAST");
            else
                Assert.True(hints.Count == 0, $"{name} has locking hints ({string.Join(", ", hints)}) the rules do not give it: add it to the rules (docs/isolation.md) or remove them");
        }
        Assert.All(LockedReads.Concat(Claims), n => Assert.Contains(ApplicationStatements(), s => s.Name == n));
    }

    private static List<TableHintKind> TableHints(string text)
    {
        var fragment = Parse(text, out var errors);
        Assert.Empty(errors);
        var visitor = new HintVisitor();
        fragment.Accept(visitor);
        return visitor.Hints;
    }

    private sealed class HintVisitor : TSqlFragmentVisitor
    {
        public List<TableHintKind> Hints { get; } = [];
        public override void Visit(TableHint node) => Hints.Add(node.HintKind);
    }

    [Fact]
    public void A_broken_statement_is_caught()
    {
        Parse("SELECT id FROM slots WHERE LIMIT 5", out var errors);
        Assert.NotEmpty(errors); // the check itself can fail
    }

    internal static void AssertParses(string name, string text)
    {
        Parse(text, out var errors);
        Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => $"line {e.Line}: {e.Message}"))}\n{text}");
    }

    private static TSqlFragment Parse(string text, out IList<ParseError> errors)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(text);
        return parser.Parse(reader, out errors);
    }
}
