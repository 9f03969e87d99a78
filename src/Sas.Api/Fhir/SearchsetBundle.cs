using System.Globalization;
using System.Text.Json;
using Sas.Domain.Fhir;

namespace Sas.Api.Fhir;

/// <summary>
/// A searchset Bundle whose entries are already serialized resources. The envelope is written here around
/// them, straight into the response pipe: a 25-GP answer is about 150 kB, and as one string or one object
/// graph per answer it kept the garbage collector busy enough to cut throughput under load.
/// </summary>
public sealed record SearchsetBundle(string Id, DateTime LastUpdatedUtc, int Total, string SelfUrl, IReadOnlyList<SearchsetBundle.Entry> Entries) : IResult
{
    public sealed record Entry(string FullUrl, ReadOnlyMemory<byte> Resource, string SearchMode);

    public Task ExecuteAsync(HttpContext http) => FhirResult.WriteAsync(http, StatusCodes.Status200OK, Write);

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("resourceType", "Bundle");
        w.WriteString("id", Id);
        w.WriteStartObject("meta");
        w.WriteString("lastUpdated", LastUpdatedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteString("type", "searchset");
        w.WriteNumber("total", Total);
        w.WriteStartArray("link");
        w.WriteStartObject();
        w.WriteString("relation", "self");
        w.WriteString("url", SelfUrl);
        w.WriteEndObject();
        w.WriteEndArray();
        if (Entries.Count > 0)
        {
            w.WriteStartArray("entry");
            foreach (var e in Entries)
            {
                w.WriteStartObject();
                w.WriteString("fullUrl", e.FullUrl);
                w.WritePropertyName("resource");
                w.WriteRawValue(e.Resource.Span, skipInputValidation: true);
                w.WriteStartObject("search");
                w.WriteString("mode", e.SearchMode);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
