using System.Net;
using Sas.Api.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class StartupTests
{
    private sealed class Configured(string environment, params (string Key, string? Value)[] settings) : SasApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            settings.Select(s => KeyValuePair.Create(s.Key, s.Value));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
        }
    }

    [Fact]
    public async Task Demo_data_gives_sectors_gps_slots_and_a_key_per_role()
    {
        using var factory = new Configured("Development", ("Sas:DemoData", "true"));
        var regulator = factory.WithKey(DemoData.Keys["regulator"]);
        var page = await (await regulator.GetAsync("/v1/slots?postalCode=44000")).Expect(HttpStatusCode.OK);
        Assert.True(page.GetProperty("items").GetArrayLength() >= 3);

        var gp = factory.WithKey(DemoData.Keys["practitioner"]);
        await (await gp.GetAsync($"/v1/practitioners/{DemoData.RppsOf(1)}")).Expect(HttpStatusCode.OK);
        await (await factory.WithKey(DemoData.Keys["cpts"]).GetAsync($"/v1/cpts/{DemoData.CptsFiness}")).Expect(HttpStatusCode.OK);
        await (await factory.WithKey(DemoData.Keys["admin"]).PostJson("/v1/clients", new { name = "x", role = "admin" })).Expect(HttpStatusCode.Created);

        var sectors = await (await regulator.GetAsync("/v1/sectors?limit=500")).Expect(HttpStatusCode.OK);
        Assert.True(sectors.GetProperty("items").GetArrayLength() >= 5);
    }

    [Fact]
    public async Task Demo_data_can_be_seeded_twice_without_duplicates()
    {
        using var factory = new Configured("Development", ("Sas:DemoData", "true"));
        _ = factory.CreateClient();
        var before = factory.SlotSnapshot(DemoData.RppsOf(1));
        using var scope = factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync(default);
        Assert.Equal(before, factory.SlotSnapshot(DemoData.RppsOf(1)));
    }

    [Fact]
    public async Task The_bootstrap_admin_key_works_and_health_answers_without_credentials()
    {
        using var factory = new SasApiFactory();
        await (await factory.Admin().GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        Assert.Equal("live", (await (await factory.Anonymous().GetAsync("/health/live")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("ready", (await (await factory.Anonymous().GetAsync("/health/ready")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await factory.Anonymous().GetAsync("/swagger/index.html")).StatusCode);
    }

    [Trait(Tier.Name, Tier.Process)]
    [Fact]
    public async Task A_build_started_from_another_folder_without_its_content_root_says_its_settings_are_not_read()
    {
        var elsewhere = Directory.CreateTempSubdirectory("sas-elsewhere-").FullName;
        try
        {
            var lost = await ApiProcess.StartupLogAsync("Development", elsewhere, contentRoot: null);
            Assert.Contains($"No appsettings.json in the content root {elsewhere}", lost);

            var found = await ApiProcess.StartupLogAsync("Development", elsewhere, contentRoot: AppContext.BaseDirectory);
            Assert.DoesNotContain("No appsettings.json", found);
        }
        finally { Directory.Delete(elsewhere, recursive: true); }
    }

#if SAS_TEST_POSTGRES
    [Trait(Tier.Name, Tier.Process)]
    [Fact]
    public async Task Starting_on_a_new_server_database_never_writes_its_connection_string()
    {
        // A database that does not exist yet, so the start creates it; the test cluster trusts local connections, so
        // the password is only there to be looked for.
        const string password = "pw-that-must-not-be-logged-7f3a";
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer.NewDatabaseName()) { Password = password }.ConnectionString;
        try
        {
            await using var api = ApiProcess.Running.Start("Testing", Path.GetTempPath(), [], new Dictionary<string, string> { ["ConnectionStrings:Sas"] = connection });
            await api.ListeningAsync();
            Assert.Contains("Applied migration", api.Log);
            Assert.DoesNotContain(password, api.Log);
            Assert.DoesNotContain("Username=", api.Log); // not even with the password masked, as DbUp's console log wrote it
        }
        finally { PostgresServer.DropDatabase(connection); }
    }
#endif
}
