using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Infrastructure.Telemetry;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// Every test host in this process publishes a meter named Sas.Api, and OpenTelemetry listens to meters by name: run
/// alone, after the parallel tests (whose hosts and meters are disposed by then), a scrape shows this host's figures only.
/// </summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>What an on-call person scrapes: OpenTelemetry metrics in Prometheus' text format, admin-only by default.</summary>
[Collection(nameof(TelemetryCollection))]
public class MetricsTests(WebhookTests.Api api) : IClassFixture<WebhookTests.Api>
{
    private readonly World world = new(api);

    private async Task<string> Scrape() => await (await api.Admin().GetAsync("/metrics")).Content.ReadAsStringAsync();

    private static double Value(string scrape, string series)
    {
        var match = Regex.Match(scrape, "^" + Regex.Escape(series) + @"(?:\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"no {series} in the scrape");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_scrape_after_bookings_holds_searches_and_a_delivery_finds_their_counters_and_no_patient_data()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var gp = await world.ClientFor("practitioner", rpps);
        await using var receiver = await WebhookReceiver.StartAsync("a-long-enough-webhook-secret");
        await (await gp.PutJson("/v1/webhooks", new { url = receiver.Url, secret = receiver.Secret, events = WebhookEndpoints.Events })).Expect(HttpStatusCode.Created);
        receiver.Down = true; // verified, then gone
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created);
        await (await regulator.Book(BookingRequests.Body(slot))).ExpectProblem(HttpStatusCode.Conflict, "hold_id_required");
        var other = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        await (await regulator.Book(BookingRequests.Body(other))).Expect(HttpStatusCode.Created);
        await api.Services.GetRequiredService<NotificationDispatchJob>().RunAsync(CancellationToken.None); // nobody listens: a retry
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        await api.Services.GetRequiredService<OutboxSampler>().SampleAsync(CancellationToken.None);

        var scrape = await Scrape();
        Assert.True(Value(scrape, "sas_bookings_created_total") >= 1);
        Assert.Matches("sas_bookings_refused_total\\{[^}]*code=\"hold_id_required\"", scrape);
        Assert.Matches("sas_holds_total\\{[^}]*outcome=\"granted\"", scrape);
        Assert.Matches("sas_searches_total\\{[^}]*by=\"sector\"", scrape);
        Assert.True(Value(scrape, "sas_territory_copy_reads_total") >= 1); // the search's sector came from the node's copy
        Assert.Matches("sas_deliveries_total\\{[^}]*outcome=\"retry\"", scrape);
        Assert.True(Value(scrape, "sas_deliveries_pending") >= 1);
        Assert.True(Value(scrape, "sas_outbox_lag_seconds") >= 120);
        Assert.Contains("http_server_request_duration_seconds", scrape); // ASP.NET Core's own
        Assert.Contains("dotnet_gc", scrape); // the runtime's
        foreach (var patient in new[] { BookingRequests.PatientLastName, BookingRequests.PatientFirstName, BookingRequests.PatientPhoneE164, "Fièvre" })
            Assert.DoesNotContain(patient, scrape);
    }

    [Fact]
    public async Task The_scrape_endpoint_is_for_admins_only()
    {
        await (await api.Anonymous().GetAsync("/metrics")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        var regulator = await world.ClientFor("regulator", "44");
        await (await regulator.GetAsync("/metrics")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        var scrape = await api.Admin().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType);
    }

}

/// <summary>
/// <c>Metrics:Port</c>: the scrape answers on that port only, without credentials, for a scraper inside the network. On
/// real sockets: which port a request came in on is the connection's, never its <c>Host</c> header (anyone writes that).
/// </summary>
[Collection(nameof(TelemetryCollection))]
public class MetricsPortTests(MetricsPortTests.Api api) : IClassFixture<MetricsPortTests.Api>
{
    public sealed class Api : SasApiFactory
    {
        public int PublicPort { get; } = FreePort();
        public int MetricsPort { get; } = FreePort();

        public Api()
        {
            UseKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, PublicPort);
                k.Listen(IPAddress.Loopback, MetricsPort);
            });
            StartServer();
        }

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Metrics:Port", MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))];

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private static async Task<HttpResponseMessage> Scrape(int port, string host, string? key = null)
    {
        using var client = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
        request.Headers.Host = host;
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task The_scrape_answers_anonymously_on_its_port_and_nowhere_else()
    {
        Assert.Equal(HttpStatusCode.OK, (await Scrape(api.MetricsPort, $"localhost:{api.MetricsPort}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Scrape(api.PublicPort, $"localhost:{api.PublicPort}", SasApiFactory.AdminKey)).StatusCode);
    }

    [Fact]
    public async Task The_public_port_does_not_answer_the_scrape_for_a_host_header_naming_the_metrics_port()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Scrape(api.PublicPort, $"x:{api.MetricsPort}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Scrape(api.PublicPort, $"localhost:{api.MetricsPort}", SasApiFactory.AdminKey)).StatusCode);
    }
}
