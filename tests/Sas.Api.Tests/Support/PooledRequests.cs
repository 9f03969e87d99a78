using System.Net;
using System.Net.Http.Json;

namespace Sas.Api.Tests.Support;

/// <summary>Pooled requests as a regulator's software posts them and a practice's software accepts them.</summary>
public static class PooledRequests
{
    /// <summary>
    /// A request for a nurse (unless told) in a sector, called in at the clock's start and open four hours; or, given
    /// <paramref name="now"/> (a factory whose clock other tests move), called in then and open four hours from it.
    /// </summary>
    public static object Body(string sector, string profession = "nurse", string? notAfter = null, object? patient = null, DateTimeOffset? now = null) => new
    {
        patient = patient ?? BookingRequests.Patient(), reason = BookingRequests.Reason, regularDoctor = "has", regularDoctorContacted = true,
        origin = "sas", requestedAt = now is { } n ? World.Local(n) : "2026-11-23T07:45:00+01:00",
        notAfter = notAfter ?? (now is { } at ? World.Local(at.AddHours(4)) : "2026-11-23T11:00:00Z"), profession, sector,
    };

    /// <summary>The same request for a place: every sector covering the commune in the regulator's scope.</summary>
    public static object ForCommune(string commune)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(Body(""))!.AsObject();
        body.Remove("sector");
        body["commune"] = commune;
        return body;
    }

    public static Task<HttpResponseMessage> Post(this HttpClient regulator, object body, string? key = null) =>
        Send(regulator, "/v1/requests", body, key);

    public static Task<HttpResponseMessage> Accept(this HttpClient practice, string requestId, string rpps, string start = "2026-11-23T09:30:00Z", string? key = null) =>
        Send(practice, $"/v1/requests/{requestId}/accept", new { rpps, start }, key);

    private static Task<HttpResponseMessage> Send(HttpClient client, string url, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    /// <summary>Every day, all day: the professional takes pooled requests whatever the test's clock says.</summary>
    public static async Task JoinPool(this SasApiFactory api, string rpps, int[]? weekdays = null, string from = "00:00", string until = "23:59") =>
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}/pool", new { weekdays = weekdays ?? [1, 2, 3, 4, 5, 6, 7], from, until })).Expect(HttpStatusCode.OK);
}
