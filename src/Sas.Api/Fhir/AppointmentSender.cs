using System.Net.Http.Headers;
using System.Text.Json;
using Hl7.Fhir.Model;
using Sas.Api.Infrastructure.Outbox;
using Sas.Api.Notifications;
using Sas.Api.Territory;

namespace Sas.Api.Fhir;

/// <summary>
/// Flow INT_R03: tells the national SAS platform of each appointment a SAS regulator booked here,
/// as the guide's <c>FrAppointmentSAS</c>: created with <c>POST /Appointment</c>, then every change
/// (cancellation, honoured, no-show) with a conditional <c>PUT /Appointment?identifier=</c>. It carries
/// the GP, the regulator and the times; never the patient. Sent from the outbox through the same
/// Polly delivery as webhooks, so the platform being down delays it and loses nothing.
/// </summary>
public sealed class AppointmentSender(DeliveryClient delivery, FhirOptions options, TerritoryStore territory)
{
    public const string HttpClientName = "sas-platform";

    /// <summary>The booking event as the outbox wrote it (see BookingStore.Event).</summary>
    public sealed record BookingEvent(
        string BookingId, string PractitionerRpps, string Sector, string? Start, string? End, string Status, string? Outcome,
        string? OperatorId, string? BookedBy, string? OperatorAccount = null, string? CreatedAt = null);

    private sealed record Envelope(string Type, BookingEvent Data);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<DeliveryClient.Result> SendAsync(DueDelivery d, CancellationToken ct)
    {
        var platform = options.SasPlatform;
        if (!platform.Enabled) return new DeliveryClient.Result(false, "Fhir:SasPlatform:BaseUrl is not set");
        var envelope = JsonSerializer.Deserialize<Envelope>(d.Payload, Json)!;
        var sector = await territory.GetSectorAsync(envelope.Data.Sector, ct);
        var zone = Sas.Domain.Time.Zones.Find(sector?.TimeZone ?? options.DefaultTimeZone);
        var body = FhirResult.SerializeToUtf8(Build(envelope.Type, envelope.Data, platform.AppointmentIdentifierSystem, zone));

        var baseUrl = platform.BaseUrl!.TrimEnd('/');
        var created = envelope.Type == EventTypes.BookingCreated;
        var url = created
            ? $"{baseUrl}/Appointment"
            : $"{baseUrl}/Appointment?identifier={Uri.EscapeDataString($"{platform.AppointmentIdentifierSystem}|{envelope.Data.BookingId}")}";
        return await delivery.SendAsync(baseUrl, HttpClientName, () =>
        {
            var request = new HttpRequestMessage(created ? HttpMethod.Post : HttpMethod.Put, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(FhirCodes.ContentType) { CharSet = "utf-8" };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirCodes.ContentType));
            return request;
        }, ct);
    }

    /// <summary>The appointment as the event left it. Public so tests check the guide's rules on exactly what is sent.</summary>
    public static Appointment Build(string eventType, BookingEvent e, string identifierSystem, TimeZoneInfo zone)
    {
        var appointment = new Appointment
        {
            Meta = new Meta { Profile = [FhirCodes.AppointmentProfile] },
            Identifier = [new Identifier(identifierSystem, e.BookingId)],
            // When the booking was made (must-support from the guide's 1.2.0): the event's own time of creation.
            CreatedElement = e.CreatedAt is null ? null : new FhirDateTime(DateTimeOffset.Parse(e.CreatedAt, System.Globalization.CultureInfo.InvariantCulture)),
            Status = StatusOf(eventType, e),
            StartElement = Instant(e.Start, zone),
            EndElement = Instant(e.End, zone),
            Participant =
            [
                new Appointment.ParticipantComponent
                {
                    Actor = new ResourceReference { Identifier = FhirIdentifiers.Practitioner(e.PractitionerRpps) },
                    Status = ParticipationStatus.Accepted,
                },
            ],
        };
        // The regulator who booked: by national identifier when the regulator software gave it, else by the SAS
        // technical id of the account the platform created here (INT_R02). A booking naming neither is sent with the
        // booking client as this API knows it, under our own system: the profile needs an operator, and we know no other.
        var operatorId = e.OperatorId is { Length: > 0 } id
            ? FhirIdentifiers.Typed(FhirCodes.Idnps, FhirCodes.IdnpsSystem, id)
            : e.OperatorAccount is { Length: > 0 } account
                ? FhirIdentifiers.Typed(FhirCodes.Intrn, FhirCodes.SasPlatformSystem, account)
                : FhirIdentifiers.Typed(FhirCodes.Intrn, FhirOptions.PlaceholderSystemPrefix + "client", e.BookedBy ?? "unknown");
        appointment.Extension.Add(new Extension(FhirCodes.AppointmentOperatorExtension, new ResourceReference { Identifier = operatorId }));
        return appointment;
    }

    private static Appointment.AppointmentStatus StatusOf(string eventType, BookingEvent e) => eventType switch
    {
        EventTypes.BookingCancelled => Appointment.AppointmentStatus.Cancelled,
        EventTypes.BookingOutcome when e.Outcome == "no_show" => Appointment.AppointmentStatus.Noshow,
        EventTypes.BookingOutcome => Appointment.AppointmentStatus.Fulfilled,
        _ => Appointment.AppointmentStatus.Booked,
    };

    private static Instant? Instant(string? utc, TimeZoneInfo zone) =>
        utc is null ? null : new Instant { JsonValue = FhirInstants.Format(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime, zone) };
}
