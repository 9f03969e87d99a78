using System.Data.Common;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The API in memory on a database of its own: a temporary SQLite file, or a fresh PostgreSQL database when the
/// suite is built for PostgreSQL (<see cref="TestEngine"/>), or SQL Server when given a connection string; with a
/// fake clock tests move by hand and a known bootstrap admin key.
/// </summary>
public class SasApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-bootstrap-admin-key-0123456789";

    /// <summary>Monday 23 November 2026, 08:00 in Paris.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    public static readonly byte[] JwtKey = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    /// <summary>The host's clock; API nodes of one test share one (<see cref="Cluster"/>).</summary>
    public FakeTimeProvider Clock { get; init; } = new(Start);

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"sas-test-{Guid.NewGuid():N}.db");

    private string? connectionString;

    public virtual string ConnectionString => connectionString ??= TestEngine.Provider == "Sqlite"
        ? $"Data Source={DatabasePath};Default Timeout=30;Foreign Keys=True;Pooling=True"
        : TestEngine.NewDatabase();

    protected virtual string Provider => TestEngine.Provider;

    /// <summary>The host's environment: Testing, unless a test class needs Development (the demo data and its sign-in).</summary>
    protected virtual string EnvironmentName => "Testing";

    /// <summary>Extra settings a test class needs (for instance another environment).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    /// <summary>Whether tokens signed with <see cref="JwtKey"/> are accepted (off to test a host without JWT settings).</summary>
    protected virtual bool WithTestJwtKey => true;

    /// <summary>Whether webhooks may target this machine, where the tests' receivers listen (off to test the SSRF rule).</summary>
    protected virtual bool AllowLoopbackWebhooks => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Database:Provider", Provider);
        builder.UseSetting("ConnectionStrings:Sas", ConnectionString);
        builder.UseSetting("Sas:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Sas:DemoData", "false");
        builder.UseSetting("Jobs:Enabled", "false"); // tests run job methods themselves, on the fake clock
        builder.UseSetting("Search:WarmUpSeconds", "0"); // hosts start at once, warm-ups in the background (WarmUpGateTests wait)
        builder.UseSetting("Search:FollowSeconds", "0"); // tests move the clock: a read beside theirs would race the reads they count (SlotIndexFollowerTests)
        if (WithTestJwtKey) builder.UseSetting("Auth:Jwt:SigningKeys:0", Convert.ToBase64String(JwtKey));
        if (AllowLoopbackWebhooks) builder.UseSetting("Webhooks:AllowedPrivateHosts:0", "127.0.0.1");
        builder.UseSetting("Auth:Jwt:Issuer", "https://idp.test");
        // The per-client bucket refills on wall-clock time: a fixture's setup (one admin key publishing
        // dozens of slots per test) outran it once the API got faster. Rate limiting has its own tests,
        // whose Settings put the real limits back.
        builder.UseSetting("RateLimit:TokenLimit", "1000000");
        builder.UseSetting("RateLimit:TokensPerPeriod", "1000000");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A client whose every answer is checked against openapi.yaml (<see cref="Contract"/>); a test that gets an undeclared one fails.</summary>
    public new HttpClient CreateClient()
    {
        var client = CreateDefaultClient(ClientOptions.BaseAddress, new ContractCheckingHandler());
        return client;
    }

    public HttpClient Anonymous() => CreateClient();

    public HttpClient WithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public HttpClient WithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Admin() => WithKey(AdminKey);

    /// <summary>A connection to this host's database, for a test to arrange or inspect rows directly (engine-neutral SQL).</summary>
    public DbConnection OpenDb()
    {
        DbConnection c = Provider switch
        {
            "PostgreSql" => new NpgsqlConnection(ConnectionString),
            "SqlServer" => new Microsoft.Data.SqlClient.SqlConnection(ConnectionString),
            _ => new SqliteConnection(ConnectionString),
        };
        c.Open();
        return c;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        if (Provider != "Sqlite" && connectionString is not null) TestEngine.DropDatabase(connectionString);
        if (Provider != "Sqlite") return;
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(DatabasePath + suffix); } catch (IOException) { /* the OS will clean the temp folder */ }
    }
}
