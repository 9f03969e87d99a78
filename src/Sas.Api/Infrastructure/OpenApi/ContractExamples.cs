using System.Text.Json.Nodes;

namespace Sas.Api.Infrastructure.OpenApi;

/// <summary>Examples of the contract, taken from the README's five-minute tour, by C# type name.</summary>
public static class ContractExamples
{
    private static readonly JsonNode Patient = JsonNode.Parse("""
        {"lastName":"Durand","firstName":"Léa","birthDate":"1990-04-12","phone":"06 12 34 56 78","commune":"44109"}
        """)!;

    public static readonly Dictionary<string, JsonNode> ByType = new(StringComparer.Ordinal)
    {
        ["SectorInput"] = JsonNode.Parse("""{"name":"Nantes ouest (tour)","department":"44","communes":["44109","44162"],"bookingHorizonHours":48}""")!,
        ["CptsInput"] = JsonNode.Parse("""{"name":"CPTS Nantes ouest","sectors":["44-TOUR"]}""")!,
        ["PractitionerInput"] = JsonNode.Parse("""
            {"firstName":"Camille","lastName":"Tour","sectors":["44-TOUR"],"overflowPerDay":1,
             "sites":[{"id":"cab","name":"Cabinet Tour","address":"1 quai de la Fosse","commune":"44109"}]}
            """)!,
        ["SiteInput"] = JsonNode.Parse("""{"id":"cab","name":"Cabinet Tour","address":"1 quai de la Fosse","commune":"44109"}""")!,
        ["ClientInput"] = JsonNode.Parse("""{"name":"SAS 44","role":"regulator","scope":["44"]}""")!,
        ["SlotInput"] = JsonNode.Parse("""{"start":"2026-11-24T09:00:00+01:00","end":"2026-11-24T09:20:00+01:00","sector":"44-TOUR","site":"cab","modality":"in_person","externalId":"rdv-1"}""")!,
        ["SlotSyncInput"] = JsonNode.Parse("""{"slots":[{"start":"2026-11-24T09:00:00+01:00","end":"2026-11-24T09:20:00+01:00","sector":"44-TOUR","site":"cab","modality":"in_person","externalId":"rdv-1"}]}""")!,
        ["PatientInput"] = Patient,
        ["BookingInput"] = new JsonObject
        {
            ["slotId"] = 55, ["holdId"] = "0f0c2b1e-8d7a-4c1f-9a43-8f3c5f0d9b21", ["reason"] = "Fièvre depuis 3 jours", ["regularDoctor"] = "unavailable",
            ["regularDoctorContacted"] = true, ["origin"] = "sas", ["requestedAt"] = "2026-11-24T08:10:00+01:00", ["patient"] = Patient.DeepClone(),
        },
        ["CancellationInput"] = JsonNode.Parse("""{"by":"patient","reason":"Se sent mieux"}""")!,
        ["OutcomeInput"] = JsonNode.Parse("""{"outcome":"honoured"}""")!,
        ["WebhookInput"] = JsonNode.Parse("""{"url":"https://cabinet-tour.fr/sas/webhook","secret":"a-secret-of-16-characters-or-more","events":["booking.created","booking.cancelled"]}""")!,
        ["HoldDto"] = JsonNode.Parse("""{"holdId":"0f0c2b1e-8d7a-4c1f-9a43-8f3c5f0d9b21","slotId":55,"expiresAt":"2026-11-24T07:15:00Z"}""")!,
        ["SyncResultDto"] = JsonNode.Parse("""{"created":3,"updated":0,"unchanged":0,"withdrawn":0,"conflicts":[]}""")!,
        ["BookingDto"] = JsonNode.Parse("""
            {"id":"5a1f7a3e-2b44-4d0a-9a0e-3c2b8f7d6e51","slotId":55,"practitionerRpps":"10000424241","sector":"44-TOUR","siteId":"cab",
             "start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:20:00Z","timeZone":"Europe/Paris","overflow":false,"overflowDay":null,
             "status":"booked","outcome":null,"origin":"sas","regularDoctor":"unavailable","regularDoctorContacted":true,
             "requestedAt":"2026-11-24T07:10:00Z","reason":"Fièvre depuis 3 jours",
             "patient":{"lastName":"Durand","firstName":"Léa","birthDate":"1990-04-12","phone":"+33612345678","commune":{"inseeCode":"44109","name":"Nantes"},"ins":null,"regularDoctorRpps":null},
             "createdAt":"2026-11-24T07:12:00Z","cancellation":null,"operator":null,"operatorAccount":null}
            """)!,
    };
}
