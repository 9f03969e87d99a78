using System.Security.Claims;

namespace Sas.Api.Infrastructure.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Practitioner = "practitioner";
    public const string Regulator = "regulator";
    public const string Cpts = "cpts";

    public static readonly string[] All = [Admin, Practitioner, Regulator, Cpts];

    public static bool IsKnown(string? role) => role is Admin or Practitioner or Regulator or Cpts;
}

public static class SasClaims
{
    public const string ClientId = "client_id";
    public const string Role = "role";
    /// <summary>One claim per scope item: RPPS (practitioner), sector or département (regulator), FINESS (cpts).</summary>
    public const string Scope = "sas_scope";
    /// <summary>The regulator a person's bookings name as their operator, by national id (IDNPS) or by SAS account id.</summary>
    public const string OperatorId = "sas_operator_id";
    public const string OperatorAccount = "sas_operator_account";
}

/// <summary>
/// Who is calling, with one role and its scope. Scope checks live here so each endpoint asks the
/// same question the same way.
/// </summary>
public sealed record Caller(string ClientId, string Role, IReadOnlySet<string> Scope)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>The regulator this caller is, when a person from the SAS platform: their bookings name them (never a client id).</summary>
    public (string? Id, string? Account) OwnOperator { get; init; }

    /// <summary>The caller a principal describes, read once per principal (an API key's principal is shared by its requests).</summary>
    public static Caller From(ClaimsPrincipal user) => Callers.GetValue(user, Read);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClaimsPrincipal, Caller> Callers = [];

    private static Caller Read(ClaimsPrincipal user)
    {
        var scope = user.FindAll(SasClaims.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var professions = scope.Where(s => s.StartsWith(ProfessionItem, StringComparison.Ordinal)).Select(s => s[ProfessionItem.Length..]).Order(StringComparer.Ordinal).ToArray();
        return new(user.FindFirstValue(SasClaims.ClientId) ?? "", user.FindFirstValue(SasClaims.Role) ?? "", scope)
        {
            OwnOperator = (user.FindFirstValue(SasClaims.OperatorId), user.FindFirstValue(SasClaims.OperatorAccount)),
            Professions = professions.Length > 0 ? professions : null,
        };
    }

    /// <summary>A regulator's or a CPTS's scope item that limits it to one profession (<c>profession=nurse</c>); a sector code or a FINESS never holds '='.</summary>
    public const string ProfessionItem = "profession=";

    /// <summary>The professions a regulator's or a CPTS's scope is limited to, or null when it covers every one (as before professions).</summary>
    public IReadOnlyList<string>? Professions { get; init; }

    /// <summary>Whether the caller's scope covers slots and bookings of this profession.</summary>
    public bool CoversProfession(string profession) => Professions is null || Professions.Contains(profession);

    /// <summary>The first of these professions the caller's scope does not cover, or null when it covers them all.</summary>
    public string? ProfessionOutside(IEnumerable<string> asked) => asked.FirstOrDefault(p => !CoversProfession(p));

    /// <summary>What a caller asking outside its professions is told: one sentence for searches, bookings and reports.</summary>
    public static string ProfessionRefusal(string profession) => $"This client's scope does not cover the profession {profession}.";

    /// <summary>Whether a scope item limits a regulator or a CPTS to a profession (<c>profession=nurse</c>), naming a known one.</summary>
    public static bool IsProfessionItem(string item) =>
        item.StartsWith(ProfessionItem, StringComparison.Ordinal) && Sas.Domain.Professions.Professions.Find(item[ProfessionItem.Length..]) is not null;

    /// <summary>Admin, or the practice software acting for this GP.</summary>
    public bool CoversPractitioner(string rpps) => IsAdmin || (Role == Roles.Practitioner && Scope.Contains(rpps));

    /// <summary>Admin, or a regulator whose scope names the sector or its département.</summary>
    public bool CoversSector(string sectorCode, string department) =>
        IsAdmin || (Role == Roles.Regulator && (Scope.Contains(sectorCode) || Scope.Contains(department)));

    /// <summary>Admin, or the CPTS's own staff.</summary>
    public bool CoversCpts(string finess) => IsAdmin || (Role == Roles.Cpts && Scope.Contains(finess));
}
