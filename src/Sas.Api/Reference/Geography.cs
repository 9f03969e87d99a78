using System.Collections.Frozen;

namespace Sas.Api.Reference;

public sealed record Commune(string InseeCode, string Name, string Type, string Department, string[] PostalCodes, int Population);

public sealed record Department(string Code, string Name, string TimeZone);

/// <summary>
/// The reference geography (Etalab découpage administratif and the postal-code base, MIT; see
/// data/reference/LICENCE.md), embedded in the assembly and loaded once. It validates commune
/// codes, maps postal codes to communes and gives each département its time zone.
/// </summary>
public sealed class Geography
{
    private readonly FrozenDictionary<string, Commune> communes;
    private readonly FrozenDictionary<string, Commune[]> byPostalCode;
    private readonly FrozenDictionary<string, Department> departments;
    private readonly FrozenDictionary<string, Territory.CommuneRefDto> references;

    private Geography(IEnumerable<Commune> communes, IEnumerable<Department> departments)
    {
        this.communes = communes.ToFrozenDictionary(c => c.InseeCode, StringComparer.Ordinal);
        byPostalCode = this.communes.Values
            .SelectMany(c => c.PostalCodes.Select(p => (Postal: p, Commune: c)))
            .GroupBy(x => x.Postal, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Commune).OrderBy(c => c.InseeCode, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        this.departments = departments.ToFrozenDictionary(d => d.Code, StringComparer.Ordinal);
        references = this.communes.ToFrozenDictionary(c => c.Key, c => new Territory.CommuneRefDto(c.Value.InseeCode, c.Value.Name), StringComparer.Ordinal);
    }

    public IEnumerable<Commune> Communes => communes.Values;

    public Commune? FindCommune(string? inseeCode) =>
        inseeCode is not null && communes.TryGetValue(inseeCode, out var c) ? c : null;

    /// <summary>The commune as answers name it: one instance per commune (reference data), not one per slot answered.</summary>
    public Territory.CommuneRefDto? ReferenceOf(string? inseeCode) =>
        inseeCode is not null && references.TryGetValue(inseeCode, out var r) ? r : null;

    public IReadOnlyList<Commune> CommunesWithPostalCode(string? postalCode) =>
        postalCode is not null && byPostalCode.TryGetValue(postalCode, out var list) ? list : [];

    public Department? FindDepartment(string? code) =>
        code is not null && departments.TryGetValue(code, out var d) ? d : null;

    public static Geography LoadEmbedded()
    {
        var assembly = typeof(Geography).Assembly;
        return new Geography(
            ReadRows(assembly.GetManifestResourceStream("reference.communes.csv")!).Select(f =>
                new Commune(f[0], f[1], f[2], f[3], f[6].Split(' ', StringSplitOptions.RemoveEmptyEntries), int.TryParse(f[7], out var p) ? p : 0)),
            ReadRows(assembly.GetManifestResourceStream("reference.departments.csv")!).Select(f => new Department(f[0], f[1], f[4])));
    }

    /// <summary>The files are plain comma-separated text with a header and no quoted fields.</summary>
    private static IEnumerable<string[]> ReadRows(Stream stream)
    {
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) yield return line.Split(',');
    }
}
