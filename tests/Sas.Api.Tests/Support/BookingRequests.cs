using System.Net.Http.Json;
using Dapper;

namespace Sas.Api.Tests.Support;

/// <summary>Booking requests as a regulator's software sends them, and direct looks at what got stored.</summary>
public static class BookingRequests
{
    public const string PatientLastName = "Lefebvre-Zqx";
    public const string PatientFirstName = "Maëlys-Qwv";
    public const string PatientBirthDate = "1987-03-14";
    public const string PatientPhone = "06 98 76 54 32";
    public const string PatientPhoneE164 = "+33698765432";
    public const string PatientIns = "2870375123456"; // body; the key is appended by Ins.Key
    public const string Reason = "Fièvre et toux depuis trois jours, zx-reason";

    public static object Patient(string? phone = null, string? birthDate = null, string? commune = null, string? ins = null) => new
    {
        lastName = PatientLastName, firstName = PatientFirstName, birthDate = birthDate ?? PatientBirthDate,
        phone = phone ?? PatientPhone, commune = commune ?? "44109",
        ins = ins ?? PatientIns + Sas.Domain.Patients.Ins.Key(PatientIns),
    };

    public static object Body(long? slotId, string? holdId = null, object? patient = null, string reason = Reason, string origin = "sas",
        string? practitionerRpps = null, bool overflow = false, string requestedAt = "2026-11-23T07:45:00+01:00", string? operatorAccount = null) => new
    {
        slotId, holdId, patient = patient ?? Patient(), reason, regularDoctor = "has", regularDoctorContacted = true,
        origin, requestedAt, practitionerRpps, overflow, operatorAccount,
    };

    public static Task<HttpResponseMessage> Book(this HttpClient client, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/bookings") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    /// <summary>Moves a booking to another slot (<c>POST /v1/bookings/{id}/move</c>), with a fresh key unless given.</summary>
    public static Task<HttpResponseMessage> Move(this HttpClient client, string bookingId, long slotId, string? key = null, string? holdId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/bookings/{bookingId}/move") { Content = JsonContent.Create(new { slotId, holdId }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    /// <summary>Dispatch runs until nothing more is sent: a booking's later event is due once its earlier one is delivered.</summary>
    public static async Task DispatchAll(this SasApiFactory api)
    {
        var job = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Sas.Api.Notifications.NotificationDispatchJob>(api.Services);
        for (var run = 0; run < 10 && await job.RunAsync(CancellationToken.None) > 0; run++) { }
    }

    public static List<dynamic> Rows(this SasApiFactory api, string sql, object? args = null)
    {
        using var c = api.OpenDb();
        return c.Query(sql, args).ToList();
    }

    public static long Count(this SasApiFactory api, string sql, object? args = null)
    {
        using var c = api.OpenDb();
        return c.ExecuteScalar<long>(sql, args);
    }

    /// <summary>
    /// Runs the expiry job until its prune removed the feed rows <paramref name="countSql"/> counts. On PostgreSQL the prune
    /// waits for the cluster's older transactions to end: another test's, for a moment.
    /// </summary>
    public static async Task PruneUntilGone(this SasApiFactory api, string countSql, object args)
    {
        for (var attempt = 0; attempt < 1000 && api.Count(countSql, args) > 0; attempt++)
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>(api.Services).RunAsync(CancellationToken.None);
        Assert.Equal(0, api.Count(countSql, args));
    }
}
