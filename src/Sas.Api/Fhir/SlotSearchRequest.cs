using Sas.Domain.Identifiers;

namespace Sas.Api.Fhir;

/// <summary>A parameter the SAS platform sent that this server cannot honour, or honours only in part, and why.</summary>
public sealed record SearchIssue(string Parameter, string Message);

/// <summary>
/// What a slot search's query came to: the search to run (null when it cannot run), the errors that stop it
/// (answered 400), the warnings that do not (an <c>OperationOutcome</c> entry of the answer, search mode
/// <c>outcome</c>), and the parameters that were applied (name and value, in whole or in part), which are all the
/// self link echoes.
/// </summary>
public sealed record SlotSearchParse(SlotSearchRequest? Request, IReadOnlyList<SearchIssue> Errors, IReadOnlyList<SearchIssue> Warnings, IReadOnlySet<(string Key, string Value)> Applied,
    bool IgnoredAny = false)
{
    public bool WasApplied(string key) => Applied.Any(a => a.Key == key);
}

/// <summary>
/// The slot search of the ANS SAS guide (flows INT_R01 for individual GPs and INT_R04 for CPTS), read from the
/// query string. FHIR R4 search is lenient by default: a parameter or an include this server does not support
/// is ignored (and left out of the self link), and refused only when the client asks for
/// <c>Prefer: handling=strict</c>. One unusable practitioner identifier never fails the batch: the other GPs'
/// slots are answered and the identifier is reported as a warning. What cannot be served as asked (only free
/// slots exist here, JSON only, a window the guide bounds) is still refused, since ignoring it would answer
/// something other than what was asked.
/// </summary>
public sealed record SlotSearchRequest(
    DateTime FromUtc,
    DateTime ToUtc,
    IReadOnlyList<string> RppsNumbers,
    bool IncludeSchedule,
    bool IncludeScheduleActors,
    bool IncludeServiceTypeReference,
    bool IncludeOrganization,
    int Count,
    Sas.Domain.Time.TimeCursor? After = null)
{
    public const string PractitionerIdentifier = "schedule.actor:Practitioner.identifier";
    /// <summary>The opaque page token of the next link.</summary>
    public const string CursorParameter = "_cursor";
    public const int MaxPractitioners = 25;
    public const int MaxCount = 1000;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    /// <summary>The CPTS flow: slots are tied to their CPTS's HealthcareService and Organization.</summary>
    public bool IsCptsFlow => IncludeServiceTypeReference;

    public static readonly IReadOnlyList<string> Includes = ["Slot:schedule", "Slot:service-type-reference"];
    public static readonly IReadOnlyList<string> IterateIncludes = ["Schedule:actor", "HealthcareService:organization"];
    private static readonly HashSet<string> JsonFormats = ["json", "application/json", "application/fhir+json"];

    public static SlotSearchParse Parse(IEnumerable<KeyValuePair<string, string>> query, TimeZoneInfo defaultZone, bool strict = false)
    {
        var errors = new List<SearchIssue>();
        var warnings = new List<SearchIssue>();
        var applied = new HashSet<(string Key, string Value)>();
        DateTime? lower = null, upper = null;
        var rpps = new List<string>();
        var includes = new HashSet<string>();
        var iterates = new HashSet<string>();
        var count = MaxCount;
        Sas.Domain.Time.TimeCursor? after = null;
        var seenIdentifier = false;
        var ignoredAny = false;

        // Ignored in the lenient default, refused under handling=strict.
        void Unsupported(string parameter, string message)
        {
            if (strict) errors.Add(new SearchIssue(parameter, message));
            else
            {
                warnings.Add(new SearchIssue(parameter, message + "; ignored"));
                ignoredAny = true;
            }
        }

        foreach (var (key, raw) in query)
        {
            var value = raw ?? "";
            switch (key)
            {
                case "start":
                    ReadStart(value, defaultZone, errors, ref lower, ref upper);
                    applied.Add((key, value));
                    break;
                case "status":
                    if (value.Split(',').Any(v => v != "free"))
                        errors.Add(new SearchIssue(key, "only status=free is served: busy, withdrawn and booked slots are never sent"));
                    applied.Add((key, value));
                    break;
                case PractitionerIdentifier:
                    seenIdentifier = true;
                    ReadIdentifiers(value, errors, warnings, rpps);
                    applied.Add((key, value));
                    break;
                case "_include":
                case "_include:iterate":
                    var supported = key == "_include" ? Includes : IterateIncludes;
                    foreach (var v in value.Split(','))
                        if (!supported.Contains(v)) Unsupported(key, $"'{Shorten(v)}' is not supported (supported: {string.Join(", ", supported)})");
                        else
                        {
                            (key == "_include" ? includes : iterates).Add(v);
                            applied.Add((key, value));
                        }
                    break;
                case "_count":
                    if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) || c < 1)
                        errors.Add(new SearchIssue(key, "must be a positive whole number"));
                    else count = Math.Min(c, MaxCount);
                    applied.Add((key, value));
                    break;
                case CursorParameter:
                    if (!Sas.Domain.Time.TimeCursor.TryParse(value, out var cursor) || !cursor.TryGetNumber(out _)) errors.Add(new SearchIssue(key, "is not a page token of this server: follow the next link as given"));
                    else after = cursor;
                    applied.Add((key, value));
                    break;
                case "_format":
                    if (!JsonFormats.Contains(value)) errors.Add(new SearchIssue(key, "only JSON is served (application/fhir+json)"));
                    applied.Add((key, value));
                    break;
                default:
                    Unsupported(Shorten(key), "is not a search parameter of the SAS slot search");
                    break;
            }
        }

        if (!seenIdentifier) errors.Add(new SearchIssue(PractitionerIdentifier, $"is required: 1 to {MaxPractitioners} identifiers urn:oid:1.2.250.1.71.4.2.1|8<RPPS>"));
        if (lower is null || upper is null) errors.Add(new SearchIssue("start", "give both bounds, e.g. start=ge2026-11-23T08:00:00.000+01:00&start=le2026-11-25T23:59:59.000+01:00"));
        else if (upper < lower) errors.Add(new SearchIssue("start", "the upper bound is before the lower bound"));
        else if (upper.Value - lower.Value > MaxWindow) errors.Add(new SearchIssue("start", $"the window is at most {MaxWindow.TotalDays:0} days"));
        if (iterates.Contains("Schedule:actor") && !includes.Contains("Slot:schedule"))
            errors.Add(new SearchIssue("_include:iterate", "Schedule:actor needs _include=Slot:schedule"));
        if (iterates.Contains("HealthcareService:organization") && !includes.Contains("Slot:service-type-reference"))
            errors.Add(new SearchIssue("_include:iterate", "HealthcareService:organization needs _include=Slot:service-type-reference"));

        if (errors.Count > 0) return new SlotSearchParse(null, errors, warnings, applied, ignoredAny);
        return new SlotSearchParse(new SlotSearchRequest(lower!.Value, upper!.Value, rpps.Distinct().ToList(),
            includes.Contains("Slot:schedule"), iterates.Contains("Schedule:actor"),
            includes.Contains("Slot:service-type-reference"), iterates.Contains("HealthcareService:organization"), count, after), errors, warnings, applied, ignoredAny);
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

    /// <summary>
    /// Every identifier form the guide allows for a practitioner (IDNPS: 8 + RPPS, or 0 + ADELI). This flow answers
    /// professionals by RPPS only — the national test kit requires every Practitioner's identifier to be 8 + RPPS
    /// (requirements 16 to 18) — so an ADELI IDNPS is reported as not served here rather than as wrong (a professional
    /// registered by ADELI is found through the API's and the console's searches); a malformed one is reported as such.
    /// Spaces around the commas are tolerated.
    /// </summary>
    private static void ReadIdentifiers(string value, List<SearchIssue> errors, List<SearchIssue> warnings, List<string> rpps)
    {
        var tokens = value.Split(',', StringSplitOptions.TrimEntries);
        if (tokens.Length + rpps.Count > MaxPractitioners)
        {
            errors.Add(new SearchIssue(PractitionerIdentifier, $"at most {MaxPractitioners} identifiers per search"));
            return;
        }
        foreach (var token in tokens)
        {
            if (token.Length == 0) continue;
            var bar = token.IndexOf('|');
            var system = bar < 0 ? null : token[..bar];
            var id = bar < 0 ? token : token[(bar + 1)..];
            if (system is not null && system != Rpps.IdnpsSystem)
                warnings.Add(new SearchIssue(PractitionerIdentifier, $"'{Shorten(token)}': the system must be {Rpps.IdnpsSystem} (IDNPS); no slots for it"));
            else if (id.Length == Rpps.Length + 1 && id[0] == '8' && Rpps.IsValid(id[1..]))
                rpps.Add(id[1..]);
            else if (id.Length == 10 && id[0] == '0' && id.All(char.IsAsciiDigit))
                warnings.Add(new SearchIssue(PractitionerIdentifier, $"'{id}' is an ADELI identifier: this flow answers professionals by RPPS only (the guide's test kit, requirements 16-18); no slots for it"));
            else if (id.Length == Rpps.Length + 1 && id[0] == '8' && id.All(char.IsAsciiDigit))
                warnings.Add(new SearchIssue(PractitionerIdentifier, $"'{id}': the RPPS's check digit is wrong; no slots for it"));
            else
                warnings.Add(new SearchIssue(PractitionerIdentifier, $"'{Shorten(id)}' is not an IDNPS (8 + RPPS, or 0 + ADELI); no slots for it"));
        }
        if (tokens.All(t => t.Length == 0)) errors.Add(new SearchIssue(PractitionerIdentifier, $"is empty: give 1 to {MaxPractitioners} identifiers"));
    }

    private static DateTime Max(DateTime? a, DateTime b) => a is { } x && x > b ? x : b;
    private static DateTime Min(DateTime? a, DateTime b) => a is { } x && x < b ? x : b;

    /// <summary>Echoed values are cut, so a hostile parameter cannot fill the answer.</summary>
    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
