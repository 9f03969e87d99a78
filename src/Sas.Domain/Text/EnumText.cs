using System.Text.Json;

namespace Sas.Domain;

/// <summary>
/// Enumerations are snake_case text on the wire and in the database: one rule for all of them (booking status,
/// outcome, origin, slot status, modality...). The names are worked out once per enumeration, so the hot paths (a
/// search reads a status and a modality per row) pay a lookup, not a conversion.
/// </summary>
public static class EnumText
{
    public static string ToText<T>(this T value) where T : struct, Enum =>
        Names<T>.Text.TryGetValue(value, out var text) ? text : throw new ArgumentOutOfRangeException(nameof(value), value, $"no {typeof(T).Name}");

    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new ArgumentOutOfRangeException(nameof(text), text, $"unknown {typeof(T).Name}");

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && Names<T>.Values.TryGetValue(text, out value);
    }

    public static T? ParseOrNull<T>(string? text) where T : struct, Enum => text is null ? null : Parse<T>(text);

    /// <summary>Every text form of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Names<T>.Ordered;

    private static class Names<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> Text = Enum.GetValues<T>().ToDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));
        public static readonly Dictionary<string, T> Values = Text.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        public static readonly string[] Ordered = [.. Enum.GetValues<T>().Select(v => Text[v])];
    }
}
