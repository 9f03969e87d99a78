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
    public static string ModalityCode(string column) =>
        $"CASE {column} WHEN 'teleconsultation' THEN 1 WHEN 'home_visit' THEN 2 ELSE 0 END";

    /// <summary>A column selected as <see cref="ModalityCode"/>.</summary>
    public static Sas.Domain.Slots.Modality Modality(DbDataReader reader, int ordinal) => (Sas.Domain.Slots.Modality)reader.GetInt64(ordinal);
}
