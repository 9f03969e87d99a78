using System.ComponentModel.DataAnnotations;
using Sas.Domain.Slots;

namespace Sas.Api.Slots;

/// <summary>
/// A slot as the practice software sends it. Instants are text so that one without an offset is refused by name; every
/// member may be missing, so that the validator names every missing field at once (422) rather than the reader the first (400).
/// </summary>
public sealed record SlotInput(
    [property: Required] string? Start = null,
    [property: Required] string? End = null,
    [property: Required] string? Sector = null,
    [property: Required] string? Site = null,
    [property: Required] Modality? Modality = null,
    string? ExternalId = null);

public sealed record SlotSyncInput([property: Required] SlotInput[]? Slots = null);

public sealed record SlotDto(
    long Id,
    string PractitionerRpps,
    string Sector,
    string SiteId,
    string Start,
    string End,
    string TimeZone,
    Modality Modality,
    SlotStatus Status,
    string? ExternalId);

public sealed record SyncConflictDto(long? SlotId, string? ExternalId, SlotStatus Status, string Reason);

public sealed record SyncResultDto(int Created, int Updated, int Unchanged, int Withdrawn, SyncConflictDto[] Conflicts);
