using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sas.Domain.Time;

namespace Sas.Api.Infrastructure.Json;

/// <summary>
/// A UTC instant written as <see cref="Instants.Format"/> writes it (<c>2026-12-02T13:00:00Z</c>), straight into the
/// response's buffer: for the hot answers (a search's slots), where a string per instant was a fifth of what a search
/// allocated. Read back with the API's own rule (an offset is required).
/// </summary>
public sealed class WireInstantConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Instants.TryParse(reader.GetString(), out var value) ? value.UtcDateTime : throw new JsonException(Instants.OffsetRequired);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[20];
        if (!DateTime.SpecifyKind(value, DateTimeKind.Utc).TryFormat(text, out var written, Instants.WireFormat, CultureInfo.InvariantCulture))
            throw new JsonException("an instant outside the years 0001–9999");
        writer.WriteStringValue(text[..written]);
    }
}
