using System.Data.Common;

namespace Sas.Api.Infrastructure.Data;

/// <summary>Typed reads for rows mapped by hand (the hot reads), with the same rules as Dapper's handler for instants.</summary>
public static class Rows
{
    /// <summary>An instant as UTC on every engine: SQLite's text (<see cref="StoredInstant"/>), the others' date types.</summary>
    public static DateTime Instant(DbDataReader reader, int ordinal) => reader is Microsoft.Data.Sqlite.SqliteDataReader
        ? StoredInstant.Parse(reader.GetString(ordinal))
        : DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    /// <summary>An instant selected as <see cref="SqlDialect.EpochSeconds"/>: an integer on every engine.</summary>
    public static DateTime EpochInstant(DbDataReader reader, int ordinal) => DateTime.UnixEpoch.AddTicks(reader.GetInt64(ordinal) * TimeSpan.TicksPerSecond);

    /// <summary>A slot's modality as its <see cref="Sas.Domain.Slots.Modality"/> number: read without a string.</summary>
    public static string ModalityCode(string column) => Code<Sas.Domain.Slots.Modality>(column, Sas.Domain.Slots.SlotText.ToText);

    /// <summary>A slot's status as its <see cref="Sas.Domain.Slots.SlotStatus"/> number.</summary>
    public static string StatusCode(string column) => Code<Sas.Domain.Slots.SlotStatus>(column, Sas.Domain.Slots.SlotText.ToText);

    /// <summary>A column selected as <see cref="ModalityCode"/>.</summary>
    public static Sas.Domain.Slots.Modality Modality(DbDataReader reader, int ordinal) => Known<Sas.Domain.Slots.Modality>(reader, ordinal);

    /// <summary>A column selected as <see cref="StatusCode"/>.</summary>
    public static Sas.Domain.Slots.SlotStatus Status(DbDataReader reader, int ordinal) => Known<Sas.Domain.Slots.SlotStatus>(reader, ordinal);

    /// <summary><c>CASE column WHEN 'text' THEN number ... ELSE -1 END</c>, from the enumeration's own text forms.</summary>
    private static string Code<T>(string column, Func<T, string> text) where T : struct, Enum =>
        $"CASE {column} {string.Join(" ", Enum.GetValues<T>().Select(v => $"WHEN '{text(v)}' THEN {Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)}"))} ELSE -1 END";

    /// <summary>A code read back; a text no enumeration value has (-1) is refused as the text parsers refuse it.</summary>
    private static T Known<T>(DbDataReader reader, int ordinal) where T : struct, Enum
    {
        var code = (int)reader.GetInt64(ordinal);
        var value = System.Runtime.CompilerServices.Unsafe.As<int, T>(ref code);
        return Enum.IsDefined(value) ? value : throw new System.Data.DataException($"column {ordinal} holds a {typeof(T).Name} this version does not know");
    }
}
