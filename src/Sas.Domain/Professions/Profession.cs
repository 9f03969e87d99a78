namespace Sas.Domain.Professions;

/// <summary>
/// A health profession the SAS orients patients to: its name on the wire, its code in the national nomenclature
/// (TRE_G15 <i>Profession de santé</i>, which the FHIR guide's practitioner roles carry), its French label, and whether
/// a specialty (TRE_R38 <i>Spécialité ordinale</i>) names what kind of physician.
/// </summary>
public sealed record Profession(string Name, string Code, string Label, bool TakesSpecialty)
{
    /// <summary>A médecin (TRE_G15 10), general practitioner or not: the SAS's majoration SNP is a physicians' fee.</summary>
    public bool IsPhysician => Code == "10";
}

public static class Professions
{
    /// <summary>Every GP registered before professions existed is one: the default wherever none is given.</summary>
    public static readonly Profession GeneralPractitioner = new("general_practitioner", "10", "Médecin généraliste", false);
    public static readonly Profession Physician = new("physician", "10", "Médecin spécialiste", true);
    public static readonly Profession Nurse = new("nurse", "60", "Infirmier", false);
    public static readonly Profession Physiotherapist = new("physiotherapist", "70", "Masseur-kinésithérapeute", false);
    public static readonly Profession Midwife = new("midwife", "50", "Sage-femme", false);
    public static readonly Profession Dentist = new("dentist", "40", "Chirurgien-dentiste", false);
    public static readonly Profession Pharmacist = new("pharmacist", "21", "Pharmacien", false);

    public static readonly IReadOnlyList<Profession> All = [GeneralPractitioner, Physician, Nurse, Physiotherapist, Midwife, Dentist, Pharmacist];

    public static readonly string[] Names = [.. All.Select(p => p.Name)];

    public static Profession? Find(string? name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>A profession's French label (Infirmier, Médecin généraliste…), or the name itself when it is not known.</summary>
    public static string LabelOf(string name) => Find(name)?.Label ?? name;

    /// <summary>Whether a booking with this professional can earn the majoration SNP: a physician's (unknown: a GP, as before professions).</summary>
    public static bool EarnsMajoration(string? profession) => profession is null || Find(profession)?.IsPhysician == true;

    /// <summary>TRE_R38's general medicine: the specialty a general practitioner's slots carry.</summary>
    public const string GeneralMedicine = "SM54";

    /// <summary>The shape of a physician's specialty: a TRE_R38 code of the medical order (SM and two digits).</summary>
    public const string SpecialtyPattern = "^SM[0-9]{2}$";

    /// <summary>
    /// Why a specialty does not go with a profession, or null when it does: a physician names theirs (not general
    /// medicine: that is a general practitioner); no other profession takes one.
    /// </summary>
    public static string? SpecialtyProblem(Profession profession, string? specialty) => profession.TakesSpecialty
        ? specialty is null ? "is required for a physician (a TRE_R38 code, e.g. SM40)"
          : !System.Text.RegularExpressions.Regex.IsMatch(specialty, SpecialtyPattern) ? "must be a TRE_R38 physician specialty: SM and two digits"
          : specialty == GeneralMedicine ? "SM54 (general medicine) is the profession general_practitioner" : null
        : specialty is null ? null : $"is only given for the profession {Physician.Name}";

    /// <summary>The TRE_R38 specialty of a professional's slots: general medicine for a GP, a physician's own, none otherwise.</summary>
    public static string? SlotSpecialty(string profession, string? specialty) =>
        profession == GeneralPractitioner.Name ? GeneralMedicine : profession == Physician.Name ? specialty : null;
}
