using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A stand-in for the national SAS platform's FHIR endpoint on loopback: records each Appointment
/// create (POST) and conditional update (PUT ?identifier=), and can refuse its first k requests.
/// </summary>
public sealed class FhirPlatformReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int failuresLeft;

    public sealed record Request(string Method, string Query, string ContentType, string Body);

    public ConcurrentQueue<Request> Accepted { get; } = new();
    public int Refused;
    public string BaseUrl { get; }

    /// <summary>Refuse the next <paramref name="k"/> requests with 503, as a platform under maintenance.</summary>
    public void FailNext(int k) => Volatile.Write(ref failuresLeft, k);

    private FhirPlatformReceiver(WebApplication app, string baseUrl) { this.app = app; BaseUrl = baseUrl; }

    public static async Task<FhirPlatformReceiver> StartAsync(int failFirst = 0)
    {
        FhirPlatformReceiver? self = null;
        var (app, address) = await LoopbackHost.StartAsync(a => a.MapMethods("/fhir/Appointment", ["POST", "PUT"], (HttpContext ctx) => self!.Handle(ctx)));
        self = new FhirPlatformReceiver(app, address + "/fhir") { failuresLeft = failFirst };
        return self;
    }

    private async Task Handle(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        if (Interlocked.Decrement(ref failuresLeft) >= 0) { Interlocked.Increment(ref Refused); ctx.Response.StatusCode = 503; return; }
        Accepted.Enqueue(new Request(ctx.Request.Method, Uri.UnescapeDataString(ctx.Request.QueryString.Value ?? ""), ctx.Request.ContentType ?? "", body));
        ctx.Response.StatusCode = ctx.Request.Method == "POST" ? 201 : 200;
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(app);
}
