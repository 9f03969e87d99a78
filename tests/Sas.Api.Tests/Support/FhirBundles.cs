// Firely marks every element nullable; these tests assert presence explicitly, so the warnings add nothing here.
#nullable disable warnings
using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Sas.Api.Tests.Support;

/// <summary>Reads what the FHIR interface answers with the Firely SDK, as the SAS platform would.</summary>
public static class FhirBundles
{
    private static readonly FhirJsonDeserializer Parser = new();

    public const string IdnpsSystem = "urn:oid:1.2.250.1.71.4.2.1";

    public static string Identifiers(params string[] rpps) =>
        Uri.EscapeDataString(string.Join(',', rpps.Select(r => $"{IdnpsSystem}|8{r}")));

    /// <summary>The guide's query for individual GPs (INT_R01), optionally with the CPTS includes (INT_R04).</summary>
    public static string GuideQuery(DateTimeOffset from, DateTimeOffset to, bool cpts, params string[] rpps)
    {
        var q = "_include=Slot:schedule&_include:iterate=Schedule:actor&status=free"
            + $"&start=ge{Uri.EscapeDataString(from.ToString("yyyy-MM-dd'T'HH:mm:ss'.000'zzz"))}"
            + $"&start=le{Uri.EscapeDataString(to.ToString("yyyy-MM-dd'T'HH:mm:ss'.000'zzz"))}"
            + $"&schedule.actor:Practitioner.identifier={Identifiers(rpps)}&_count=1000";
        return cpts ? q + "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization" : q;
    }

    public static T Parse<T>(string json) where T : Resource => (T)Parser.DeserializeResource(json);

    public static async Task<T> ExpectFhir<T>(this HttpResponseMessage response, HttpStatusCode status) where T : Resource
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        return Parse<T>(text);
    }

    public static IEnumerable<T> All<T>(this Bundle bundle) where T : Resource => bundle.Entry.Select(e => e.Resource).OfType<T>();

    /// <summary>The resource a relative reference (<c>Type/id</c>) points to, from the bundle; fails if absent.</summary>
    public static T Resolve<T>(this Bundle bundle, ResourceReference reference) where T : Resource
    {
        var parts = reference.Reference.Split('/');
        Assert.Equal(2, parts.Length);
        var found = bundle.All<T>().SingleOrDefault(r => r.TypeName == parts[0] && r.Id == parts[1]);
        Assert.True(found is not null, $"{reference.Reference} is not in the bundle");
        return found!;
    }

    /// <summary>The security code of a slot, one of TRE_R314.</summary>
    public static string SlotType(this Slot slot) =>
        Assert.Single(slot.Meta.Security, c => c.System == "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau").Code;
}
