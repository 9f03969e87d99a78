using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Sas.Api.Fhir;

/// <summary>
/// A searchset Bundle whose entries are already written: each one's whole JSON (full URL, resource, search mode), as the
/// builder keeps them. The envelope is written here around them, and the answer goes out with its length: the platform's
/// 25-GP answer is about 110 kB, and writing it entry by entry through a JSON writer into a chunked response was about
/// half of the query's time (docs/benchmarks.md).
/// </summary>
public sealed record SearchsetBundle(string Id, string Profile, DateTime LastUpdatedUtc, int Total, string SelfUrl, string? NextUrl,
    IReadOnlyList<ReadOnlyMemory<byte>> Entries) : IResult
{
    private static ReadOnlySpan<byte> EntriesStart => ",\"entry\":["u8;

    /// <summary>
    /// One entry's JSON: a resource of ours (its full URL the FHIR base, its type and id), or the search's warnings (mode
    /// <c>outcome</c>, no type) under a <c>urn:uuid</c>.
    /// </summary>
    public static byte[] Entry(string fhirBase, string? type, string id, ReadOnlySpan<byte> resource, string searchMode)
    {
        var buffer = new ArrayBufferWriter<byte>(resource.Length + fhirBase.Length + 96);
        using (var w = new Utf8JsonWriter(buffer, FhirResult.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("fullUrl", type is null ? $"urn:uuid:{id}" : $"{fhirBase}{type}/{id}");
            w.WritePropertyName("resource");
            w.WriteRawValue(resource, skipInputValidation: true);
            w.WriteStartObject("search");
            w.WriteString("mode", searchMode);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        var head = Head();
        var length = Length(head);
        FhirResult.Start(http, StatusCodes.Status200OK);
        http.Response.ContentLength = length;
        WriteTo(http.Response.BodyWriter, head, length);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    /// <summary>The whole Bundle's JSON into <paramref name="output"/>.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var head = Head();
        WriteTo(output, head, Length(head));
    }

    /// <summary>
    /// Into one span of the answer's length, advanced once: the response's writer takes a lock at each advance, and a
    /// write per entry and comma took it three hundred times an answer.
    /// </summary>
    private void WriteTo(IBufferWriter<byte> output, ReadOnlySpan<byte> head, long length)
    {
        var into = output.GetSpan(checked((int)length));
        head.CopyTo(into);
        var at = head.Length;
        if (Entries.Count > 0)
        {
            EntriesStart.CopyTo(into[at..]);
            at += EntriesStart.Length;
            for (var i = 0; i < Entries.Count; i++)
            {
                if (i > 0) into[at++] = (byte)',';
                Entries[i].Span.CopyTo(into[at..]);
                at += Entries[i].Length;
            }
            into[at++] = (byte)']';
        }
        into[at++] = (byte)'}';
        output.Advance(at);
    }

    private long Length(ReadOnlySpan<byte> head)
    {
        long length = head.Length + 1;
        if (Entries.Count == 0) return length;
        length += EntriesStart.Length + Entries.Count; // the commas between entries and the closing bracket
        foreach (var e in Entries) length += e.Length;
        return length;
    }

    /// <summary>The envelope up to its links, the object left open for the entries.</summary>
    private byte[] Head()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using var w = new Utf8JsonWriter(buffer, FhirResult.WriterOptions);
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
        Link(w, "self", SelfUrl);
        if (NextUrl is not null) Link(w, "next", NextUrl);
        w.WriteEndArray();
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Link(Utf8JsonWriter w, string relation, string url)
    {
        w.WriteStartObject();
        w.WriteString("relation", relation);
        w.WriteString("url", url);
        w.WriteEndObject();
    }
}
