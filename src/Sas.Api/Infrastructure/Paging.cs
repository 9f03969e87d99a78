using System.Text;

namespace Sas.Api.Infrastructure;

/// <summary>A page of a list: <c>next</c> is the opaque cursor to pass as <c>after</c>, null at the end.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Cursor paging per the contract: <c>limit</c> default 50, at most 500; <c>after</c> opaque.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static bool IsValidLimit(int? limit) => limit is null or >= 1 and <= MaxLimit;

    public static int Limit(int? limit) => limit ?? DefaultLimit;

    /// <summary>The cursor is the last item's sort key, base64url so clients treat it as opaque.</summary>
    public static string Encode(string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A cursor over increasing numeric ids (audit rows, deliveries); absent means from the start.</summary>
    public static bool TryDecodeId(string? cursor, out long id)
    {
        id = 0;
        return cursor is null || (TryDecode(cursor, out var key) && long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id));
    }

    public static string EncodeId(long id) => Encode(id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The cursor of a page ordered by (time, id): its <see cref="Sas.Domain.Time.TimeCursor"/>, opaque.</summary>
    public static string Encode(Sas.Domain.Time.TimeCursor cursor) => Encode(cursor.ToString());

    /// <summary>
    /// <c>after</c> of a (time, id) page: null when absent; a field error and null when it is not a cursor this API gave.
    /// </summary>
    public static Sas.Domain.Time.TimeCursor? ReadTimeCursor(string? after, Errors.ValidationErrors errors, string field = "after")
    {
        if (after is null) return null;
        if (TryDecode(after, out var key) && Sas.Domain.Time.TimeCursor.TryParse(key, out var cursor)) return cursor;
        errors.Add(field, Sas.Domain.Validation.FieldRules.NotACursor);
        return null;
    }

    public static bool TryDecode(string? cursor, out string key)
    {
        key = "";
        if (cursor is null) return true;
        if (cursor.Length > 200) return false;
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            s += new string('=', (4 - s.Length % 4) % 4);
            key = Encoding.UTF8.GetString(Convert.FromBase64String(s));
            return key.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
