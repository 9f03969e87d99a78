using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using Sas.Api.Fhir;

namespace Sas.Api.Tests;

/// <summary>The searchset's envelope around entries already written, sent whole with its length.</summary>
public class SearchsetBundleTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async System.Threading.Tasks.Task It_goes_out_with_its_length_and_reads_back_as_the_bundle(int count)
    {
        var entries = Enumerable.Range(1, count).Select(i => (ReadOnlyMemory<byte>)SearchsetBundle.Entry("https://sas.test/fhir/", "Practitioner", $"p{i}",
            FhirResult.SerializeToUtf8(new Practitioner { Id = $"p{i}" }), "include")).ToList();
        var bundle = new SearchsetBundle("b-1", FhirCodes.BundleProfile, new DateTime(2026, 12, 7, 9, 0, 0, DateTimeKind.Utc), count, "https://sas.test/fhir/Slot?a=1",
            count > 0 ? "https://sas.test/fhir/Slot?a=2" : null, entries);
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;

        await bundle.ExecuteAsync(http);

        Assert.Equal(body.Length, http.Response.ContentLength); // not chunked entry by entry
        Assert.StartsWith("application/fhir+json", http.Response.ContentType, StringComparison.Ordinal);
        var read = new FhirJsonDeserializer().Deserialize<Bundle>(System.Text.Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal("b-1", read.Id);
        Assert.Equal(count, read.Total);
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"https://sas.test/fhir/Practitioner/p{i}"), read.Entry.Select(e => e.FullUrl));
        Assert.All(read.Entry, e => Assert.Equal(Bundle.SearchEntryMode.Include, e.Search?.Mode));
        Assert.Equal(count > 0 ? ["self", "next"] : ["self"], read.Link.Select(l => l.Relation));
    }
}
