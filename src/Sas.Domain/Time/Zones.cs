namespace Sas.Domain.Time;

/// <summary>
/// Time zones, named once. A sector has its own (from its département: the overseas ones differ); where none is known
/// — a sector deleted since, a search without one — the times are mainland France's.
/// </summary>
public static class Zones
{
    public const string Mainland = "Europe/Paris";

    public static TimeZoneInfo Find(string? id) => TimeZoneInfo.FindSystemTimeZoneById(id ?? Mainland);
}
