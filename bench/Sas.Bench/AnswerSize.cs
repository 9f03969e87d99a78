using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sas.Bench;

/// <summary>
/// <c>--answer-size KB</c>: what moving an answer of that size costs on this machine, whatever builds it. A bare Kestrel
/// answers a few bytes and a fixed JSON body of that size, each closed loop with the bench's clients; the second over the
/// first bounds what any query answering that much can reach against a ceiling measured the same way (issue #28: the
/// platform's 25-GP query answers 108 kB).
/// </summary>
public static class AnswerSize
{
    public static async Task<int> RunAsync(BenchOptions o, double kb, TextWriter log)
    {
        var body = Encoding.UTF8.GetBytes("{\"x\":\"" + new string('a', Math.Max(0, (int)(kb * 1024) - 8)) + "\"}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/tiny", () => Results.Text("Healthy"));
        app.MapGet("/body", () => Results.Bytes(body, "application/json"));
        await app.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(app.Urls.First()) };
        Operation Get(string name, string path) => new(name, 1, _ => Workload.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, path)));

        var results = new List<OperationResult>();
        foreach (var op in new[] { Get("tiny", "/tiny"), Get("body", "/body") })
        {
            await Load.RunAsync([op], o.Clients, TimeSpan.FromSeconds(3)); // warm
            results.Add((await Load.RunAsync([op], o.Clients, o.Step)).Single());
        }
        var (tiny, big) = (results[0], results[1]);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{o.Clients} clients closed loop, {o.Step.TotalSeconds:N0} s each, server and clients in this process: a tiny answer {tiny.PerSecond:N0}/s; a {body.Length / 1024.0:N1} kB answer {big.PerSecond:N0}/s = {big.PerSecond / tiny.PerSecond:N3}× ({big.PerSecond * body.Length / 1e6:N0} MB/s)"));
        return 0;
    }
}
