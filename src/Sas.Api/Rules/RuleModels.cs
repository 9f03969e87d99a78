using System.ComponentModel.DataAnnotations;
using Sas.Domain.Slots;

namespace Sas.Api.Rules;

/// <summary>
/// A recurring availability as a practice gives it: on these days (<c>monday</c> … <c>sunday</c>), every
/// <c>everyWeeks</c> weeks, from <c>startTime</c> to <c>endTime</c> local time (<c>HH:mm</c>), in slots of <c>slotMinutes</c>,
/// at one site, in one sector, from <c>firstDay</c>, until <c>lastDay</c> or open-ended, skipping <c>exceptions</c> and, when asked,
/// French public holidays.
/// </summary>
public sealed record RuleInput(
    [property: Required] string? Site = null,
    [property: Required] string? Sector = null,
    [property: Required] Modality? Modality = null,
    [property: Required] string[]? Weekdays = null,
    int EveryWeeks = 1,
    [property: Required] string? StartTime = null,
    [property: Required] string? EndTime = null,
    [property: Required] int? SlotMinutes = null,
    [property: Required] string? FirstDay = null,
    string? LastDay = null,
    bool SkipPublicHolidays = false,
    string[]? Exceptions = null);

public sealed record RuleDto(
    string Id, string PractitionerRpps, string Site, string Sector, Modality Modality, string[] Weekdays, int EveryWeeks,
    string StartTime, string EndTime, int SlotMinutes, string FirstDay, string? LastDay, bool SkipPublicHolidays, string[] Exceptions);

/// <summary>A slot the rule could not make: another live slot of the GP at the site overlaps it.</summary>
public sealed record RuleConflictDto(string Start, long OverlappingSlotId);

/// <summary>The rule, and what making its slots up to the sector's booking horizon did.</summary>
public sealed record RuleMadeDto(RuleDto Rule, int SlotsMade, RuleConflictDto[] Conflicts);

/// <summary>A rule removed: its free future slots withdrawn; booked or held ones kept, named.</summary>
public sealed record RuleRemovedDto(int Withdrawn, long[] Kept);

/// <summary>A rule edited in place: its future free slots changed, held or booked ones kept (named when the new rule would not make them).</summary>
public sealed record RuleEditedDto(RuleDto Rule, int SlotsMade, int Withdrawn, long[] Kept, RuleConflictDto[] Conflicts);

/// <summary>A CPTS rota's rule: the GP of the CPTS's sectors who gives it, and the rule.</summary>
public sealed record RotaRuleInput([property: Required] string? Practitioner = null, [property: Required] RuleInput? Rule = null);
