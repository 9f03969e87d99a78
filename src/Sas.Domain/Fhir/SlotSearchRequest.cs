using Sas.Domain.Identifiers;

namespace Sas.Domain.Fhir;

/// <summary>A parameter the SAS platform sent that this server cannot honour, and why.</summary>
public sealed record SearchIssue(string Parameter, string Message);

/// <summary>
/// The slot search of the ANS SAS guide (flows INT_R01 for individual GPs and INT_R04 for CPTS), read
/// from the query string. Only what the guide uses is accepted; anything else is refused rather than
/// ignored, so a platform asking for a filter we would not apply learns it at once instead of showing
/// slots that do not match.
/// </summary>
public sealed record SlotSearchRequest(
    DateTime FromUtc,
    DateTime ToUtc,
    IReadOnlyList<string> RppsNumbers,
    bool IncludeSchedule,
    bool IncludeScheduleActors,
    bool IncludeServiceTypeReference,
    bool IncludeOrganization,
    int Count)
{
    public const string PractitionerIdentifier = "schedule.actor:Practitioner.identifier";
    public const int MaxPractitioners = 25;
    public const int MaxCount = 1000;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    /// <summary>The CPTS flow: slots are tied to their CPTS's HealthcareService and Organization.</summary>
    public bool IsCptsFlow => IncludeServiceTypeReference;

    private static readonly HashSet<string> Includes = ["Slot:schedule", "Slot:service-type-reference"];
    private static readonly HashSet<string> IterateIncludes = ["Schedule:actor", "HealthcareService:organization"];
    private static readonly HashSet<string> JsonFormats = ["json", "application/json", "application/fhir+json"];

    public static (SlotSearchRequest? Request, IReadOnlyList<SearchIssue> Issues) Parse(
        IEnumerable<KeyValuePair<string, string>> query, TimeZoneInfo defaultZone)
    {
        var issues = new List<SearchIssue>();
        DateTime? lower = null, upper = null;
        var rpps = new List<string>();
        var includes = new HashSet<string>();
        var iterates = new HashSet<string>();
        var count = MaxCount;
        var seenIdentifier = false;

        foreach (var (key, raw) in query)
        {
            var value = raw ?? "";
            switch (key)
            {
                case "start":
                    ReadStart(value, defaultZone, issues, ref lower, ref upper);
                    break;
                case "status":
                    if (value.Split(',').Any(v => v != "free"))
                        issues.Add(new SearchIssue(key, "only status=free is served: busy, withdrawn and booked slots are never sent"));
                    break;
                case PractitionerIdentifier:
                    if (seenIdentifier) issues.Add(new SearchIssue(key, "give the identifiers once, comma-separated"));
                    seenIdentifier = true;
                    ReadIdentifiers(value, issues, rpps);
                    break;
                case "_include":
                    foreach (var v in value.Split(','))
                        if (!Includes.Contains(v)) issues.Add(new SearchIssue(key, $"'{Shorten(v)}' is not supported; use Slot:schedule or Slot:service-type-reference"));
                        else includes.Add(v);
                    break;
                case "_include:iterate":
                    foreach (var v in value.Split(','))
                        if (!IterateIncludes.Contains(v)) issues.Add(new SearchIssue(key, $"'{Shorten(v)}' is not supported; use Schedule:actor or HealthcareService:organization"));
                        else iterates.Add(v);
                    break;
                case "_count":
                    if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) || c < 1)
                        issues.Add(new SearchIssue(key, "must be a positive whole number"));
                    else count = Math.Min(c, MaxCount);
                    break;
                case "_format":
                    if (!JsonFormats.Contains(value)) issues.Add(new SearchIssue(key, "only JSON is served (application/fhir+json)"));
                    break;
                default:
                    issues.Add(new SearchIssue(Shorten(key), "is not a search parameter of the SAS slot search"));
                    break;
            }
        }

        if (!seenIdentifier) issues.Add(new SearchIssue(PractitionerIdentifier, $"is required: 1 to {MaxPractitioners} identifiers urn:oid:1.2.250.1.71.4.2.1|8<RPPS>"));
        if (lower is null || upper is null) issues.Add(new SearchIssue("start", "give both bounds, e.g. start=ge2026-11-23T08:00:00.000+01:00&start=le2026-11-25T23:59:59.000+01:00"));
        else if (upper < lower) issues.Add(new SearchIssue("start", "the upper bound is before the lower bound"));
        else if (upper.Value - lower.Value > MaxWindow) issues.Add(new SearchIssue("start", $"the window is at most {MaxWindow.TotalDays:0} days"));
        if (iterates.Contains("Schedule:actor") && !includes.Contains("Slot:schedule"))
            issues.Add(new SearchIssue("_include:iterate", "Schedule:actor needs _include=Slot:schedule"));
        if (iterates.Contains("HealthcareService:organization") && !includes.Contains("Slot:service-type-reference"))
            issues.Add(new SearchIssue("_include:iterate", "HealthcareService:organization needs _include=Slot:service-type-reference"));

        if (issues.Count > 0) return (null, issues);
        return (new SlotSearchRequest(lower!.Value, upper!.Value, rpps.Distinct().ToList(),
            includes.Contains("Slot:schedule"), iterates.Contains("Schedule:actor"),
            includes.Contains("Slot:service-type-reference"), iterates.Contains("HealthcareService:organization"), count), issues);
    }

    private static void ReadStart(string value, TimeZoneInfo zone, List<SearchIssue> issues, ref DateTime? lower, ref DateTime? upper)
    {
        if (value.Contains(',')) { issues.Add(new SearchIssue("start", "one value per start parameter; repeat start for the second bound")); return; }
        var prefix = value.Length >= 2 && char.IsAsciiLetterLower(value[0]) ? value[..2] : "eq";
        var text = prefix == "eq" && !value.StartsWith("eq", StringComparison.Ordinal) ? value : value[2..];
        if (!FhirInstants.TryParseSearchValue(text, zone, out var lowest, out var highest))
        {
            issues.Add(new SearchIssue("start", $"'{Shorten(value)}' is not a FHIR date, e.g. ge2026-11-23T08:00:00.000+01:00"));
            return;
        }
        switch (prefix)
        {
            case "ge": lower = Max(lower, lowest); break;
            case "gt": lower = Max(lower, highest.AddTicks(1)); break;
            case "le": upper = Min(upper, highest); break;
            case "lt": upper = Min(upper, lowest.AddTicks(-1)); break;
            case "eq": lower = Max(lower, lowest); upper = Min(upper, highest); break;
            default: issues.Add(new SearchIssue("start", $"prefix '{Shorten(prefix)}' is not supported; use ge, gt, le, lt or eq")); break;
        }
    }

    private static void ReadIdentifiers(string value, List<SearchIssue> issues, List<string> rpps)
    {
        var tokens = value.Split(',');
        if (tokens.Length > MaxPractitioners)
        {
            issues.Add(new SearchIssue(PractitionerIdentifier, $"at most {MaxPractitioners} identifiers per search"));
            return;
        }
        foreach (var token in tokens)
        {
            var bar = token.IndexOf('|');
            var system = bar < 0 ? null : token[..bar];
            var id = bar < 0 ? token : token[(bar + 1)..];
            if (system is not null && system != Identifiers.Rpps.IdnpsSystem)
                issues.Add(new SearchIssue(PractitionerIdentifier, $"system must be {Identifiers.Rpps.IdnpsSystem} (IDNPS)"));
            else if (id.Length != Identifiers.Rpps.Length + 1 || id[0] != '8' || !Identifiers.Rpps.IsValid(id[1..]))
                issues.Add(new SearchIssue(PractitionerIdentifier, $"'{Shorten(id)}' is not an IDNPS: 8 followed by a valid 11-digit RPPS"));
            else rpps.Add(id[1..]);
        }
    }

    private static DateTime Max(DateTime? a, DateTime b) => a is { } x && x > b ? x : b;
    private static DateTime Min(DateTime? a, DateTime b) => a is { } x && x < b ? x : b;

    /// <summary>Echoed values are cut, so a hostile parameter cannot fill the answer.</summary>
    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
