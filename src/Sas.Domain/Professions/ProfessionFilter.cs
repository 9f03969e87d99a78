namespace Sas.Domain.Professions;

/// <summary>The professions a search asks for, and a physician's specialty when it names one.</summary>
public sealed record ProfessionFilter(IReadOnlyList<string> Professions, string? Specialty = null)
{
    /// <summary>What a search without <c>profession</c> finds: general practitioners, as every search did before professions existed.</summary>
    public static readonly ProfessionFilter Default = new([Domain.Professions.Professions.GeneralPractitioner.Name]);

    public bool Admits(string profession, string? specialty)
    {
        if (Specialty is not null && specialty != Specialty) return false;
        for (var i = 0; i < Professions.Count; i++) if (Professions[i] == profession) return true;
        return false;
    }
}
