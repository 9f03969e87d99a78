namespace Sas.Api.Infrastructure;

/// <summary>Text a client sent, as an answer may quote it back.</summary>
public static class Text
{
    /// <summary>At most 40 characters of <paramref name="value"/>: enough to recognise it, never a body's worth.</summary>
    public static string Quoted(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";
}
