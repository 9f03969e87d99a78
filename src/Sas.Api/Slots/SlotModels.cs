using Sas.Domain.Slots;

namespace Sas.Api.Slots;

/// <summary>A slot as the practice software sends it. Instants are text so that one without an offset is refused by name.</summary>
public sealed record SlotInput(
    string Start,
    string End,
    string Sector,
    string Site,
    Modality Modality,
    string? ExternalId = null);

public sealed record SlotSyncInput(SlotInput[] Slots);

public sealed record SlotDto(
    long Id,
    string PractitionerRpps,
    string Sector,
    string Site,
    string Start,
    string End,
    string TimeZone,
    Modality Modality,
    SlotStatus Status,
    string? ExternalId);

public sealed record SyncConflictDto(long? SlotId, string? ExternalId, SlotStatus Status, string Reason);

public sealed record SyncResultDto(int Created, int Updated, int Unchanged, int Withdrawn, SyncConflictDto[] Conflicts);
