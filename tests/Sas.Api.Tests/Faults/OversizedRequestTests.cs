using System.Net;
using System.Net.Sockets;
using System.Text;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>What Kestrel itself would refuse before the API sees it, over a real socket.</summary>
[SqliteOnly("request limits: the HTTP layer, whatever the engine")]
public class OversizedRequestTests(KestrelSasApiFactory api) : IClassFixture<KestrelSasApiFactory>
{
    [Theory]
    [InlineData(9_000)]
    [InlineData(60_000)]
    [InlineData(-9_000)]
    public async Task A_url_over_8_kB_is_a_414_problem_with_the_security_headers(int length)
    {
        using var client = api.Outside(SasApiFactory.AdminKey);
        // A long query, or (negative length) a long path.
        var response = await client.GetAsync(length > 0 ? "/v1/slots?sector=" + new string('a', length) : "/v1/sectors/" + new string('a', -length));
        await response.ExpectProblem(HttpStatusCode.RequestUriTooLong, "uri_too_long");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_nul_in_the_request_line_is_refused_by_the_server_and_the_process_goes_on()
    {
        // Kestrel refuses it while parsing, before any middleware: its own empty 400, which no hook can change.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.Address.Host, api.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v1/slots\0x HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(buffer, 0, read));

        using var client = api.Outside();
        await (await client.GetAsync("/health/live")).Expect(HttpStatusCode.OK);
    }
}
