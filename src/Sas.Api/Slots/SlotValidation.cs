using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Domain.Slots;
using Sas.Domain.Time;

namespace Sas.Api.Slots;

/// <summary>The contract's slot rules, checked the same way for a single publish and for each slot of a sync.</summary>
public static class SlotValidation
{
    public const int MaxExternalIdLength = 128;

    /// <summary>Records every broken rule under <paramref name="prefix"/> (e.g. <c>slots[3].</c>); answers the slot when it is valid.</summary>
    public static SlotSpec? Validate(SlotInput? input, Practitioner gp, FieldPrefix prefix, ValidationErrors errors, bool externalIdRequired = false)
    {
        if (input is null) { errors.Add(prefix.Self, "must not be null"); return null; }
        var before = errors.Count;
        var start = errors.Instant(prefix, "start", input.Start);
        var end = errors.Instant(prefix, "end", input.End);
        if (errors.Required(input.Sector, prefix, "sector") && !Contains(gp.Sectors, input.Sector))
            errors.Add(prefix.Of("sector"), "is not one of this GP's sectors");
        if (errors.Required(input.Site, prefix, "site") && !HasSite(gp, input.Site))
            errors.Add(prefix.Of("site"), "is not one of this GP's sites");
        errors.Required(input.Modality, prefix, "modality");
        if (input.ExternalId is null)
        {
            if (externalIdRequired) errors.Add(prefix.Of("externalId"), "is required in a sync: it is how the slot is recognised next time");
        }
        else if (input.ExternalId.Length is 0 or > MaxExternalIdLength || HasControl(input.ExternalId))
            errors.Add(prefix.Of("externalId"), $"must be 1 to {MaxExternalIdLength} printable characters");

        if (start is null || end is null || errors.Count != before) return null;
        var spec = new SlotSpec(start.Value, end.Value, input.Sector!, input.Site!, input.Modality!.Value);
        if (spec.DurationError() is { } durationError) errors.Add(prefix.Of("end"), durationError);
        return errors.Count == before ? spec : null;
    }

    // Loops rather than LINQ: called for each slot of every sync, most of which change nothing.
    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++) if (string.Equals(values[i], value, StringComparison.Ordinal)) return true;
        return false;
    }

    private static bool HasControl(string text)
    {
        foreach (var c in text) if (char.IsControl(c)) return true;
        return false;
    }

    private static bool HasSite(Practitioner gp, string site)
    {
        for (var i = 0; i < gp.Sites.Count; i++) if (string.Equals(gp.Sites[i].SiteId, site, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The 422 <c>slot_overlap</c> answer, naming the two clashing times.</summary>
    public static ProblemHttpResult OverlapProblem(SlotSpec first, SlotSpec second, string field) => Problems.Validation(
        new Dictionary<string, string[]>
        {
            [field] = [$"overlaps another slot at site '{first.Site}': {Instants.Format(first.StartUtc)}–{Instants.Format(first.EndUtc)} and {Instants.Format(second.StartUtc)}–{Instants.Format(second.EndUtc)}"],
        },
        ErrorCodes.SlotOverlap, "Two slots of this GP at the same site would overlap.");
}
