using System.Globalization;
using System.Text.Json;

namespace Sas.Api.Fhir;

/// <summary>
/// A searchset Bundle whose entries are already serialized resources. The envelope is written here around
/// them, straight into the response pipe: a large answer as one string or one object graph per answer kept the
/// garbage collector busy enough to cut throughput under load (docs/benchmarks.md).
/// </summary>
public sealed record SearchsetBundle(string Id, string Profile, DateTime LastUpdatedUtc, int Total, string FhirBase, string SelfUrl, string? NextUrl,
    IReadOnlyList<SearchsetBundle.Entry> Entries) : IResult
{
    /// <summary>
    /// An entry: a resource of ours (its full URL is the FHIR base, its type and id, written together rather than
    /// concatenated for each entry), or the search's warnings (mode <c>outcome</c>, no type) under a <c>urn:uuid</c>.
    /// </summary>
    public sealed record Entry(string? Type, string Id, ReadOnlyMemory<byte> Resource, string SearchMode);

    public Task ExecuteAsync(HttpContext http) => FhirResult.WriteAsync(http, StatusCodes.Status200OK, Write);

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("resourceType", "Bundle");
        w.WriteString("id", Id);
        w.WriteStartObject("meta");
        w.WriteStartArray("profile");
        w.WriteStringValue(Profile);
        w.WriteEndArray();
        w.WriteString("lastUpdated", LastUpdatedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteString("type", "searchset");
        w.WriteNumber("total", Total);
        w.WriteStartArray("link");
        w.WriteStartObject();
        w.WriteString("relation", "self");
        w.WriteString("url", SelfUrl);
        w.WriteEndObject();
        if (NextUrl is not null)
        {
            w.WriteStartObject();
            w.WriteString("relation", "next");
            w.WriteString("url", NextUrl);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (Entries.Count > 0)
        {
            w.WriteStartArray("entry");
            foreach (var e in Entries)
            {
                w.WriteStartObject();
                WriteFullUrl(w, e);
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

    private void WriteFullUrl(Utf8JsonWriter w, Entry e)
    {
        var prefix = e.Type is null ? "urn:uuid:" : FhirBase;
        var length = prefix.Length + (e.Type is null ? 0 : e.Type.Length + 1) + e.Id.Length;
        var buffer = System.Buffers.ArrayPool<char>.Shared.Rent(length);
        try
        {
            var url = buffer.AsSpan();
            prefix.CopyTo(url);
            var at = prefix.Length;
            if (e.Type is not null)
            {
                e.Type.CopyTo(url[at..]);
                at += e.Type.Length;
                url[at++] = '/';
            }
            e.Id.CopyTo(url[at..]);
            w.WriteString("fullUrl", url[..length]);
        }
        finally { System.Buffers.ArrayPool<char>.Shared.Return(buffer); }
    }
}
