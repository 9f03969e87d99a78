using System.Diagnostics.Metrics;

namespace Sas.Api.Infrastructure.Telemetry;

/// <summary>
/// The figures an on-call person asks for, on the meter <see cref="MeterName"/>. Attributes are codes and kinds only:
/// never a patient field, an identifier of a person, or a URL.
/// </summary>
public sealed class SasMetrics
{
    public const string MeterName = "Sas.Api";

    private readonly Counter<long> bookingsCreated;
    private readonly Counter<long> bookingsRefused;
    private readonly Counter<long> holds;
    private readonly Counter<long> searches;
    private readonly Counter<long> deliveries;
    private readonly Counter<long> storageRefusals;
    private readonly Counter<long> certificatesRefused;
    private readonly Counter<long> territoryCopyReads;
    private readonly Counter<long> slotIndexReloads;
    private readonly Counter<long> slotIndexMismatches;
    private readonly Counter<long> slotIndexChanges;

    public SasMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        bookingsCreated = meter.CreateCounter<long>("sas.bookings.created", "{booking}", "Bookings made, by kind (slot or overflow)");
        bookingsRefused = meter.CreateCounter<long>("sas.bookings.refused", "{booking}", "Booking requests refused, by code (slot_booked, slot_held...)");
        holds = meter.CreateCounter<long>("sas.holds", "{hold}", "Holds asked for, by outcome (granted, or the refusal's code)");
        searches = meter.CreateCounter<long>("sas.searches", "{search}", "Slot searches answered, by what was searched (sector, commune, postal_code)");
        deliveries = meter.CreateCounter<long>("sas.deliveries", "{attempt}", "Delivery attempts, by recipient (webhook, sas_platform) and outcome (delivered, retry, failed)");
        certificatesRefused = meter.CreateCounter<long>("sas.fhir.certificates.refused", "{request}", "Requests to /fhir whose client certificate was refused, by reason (chain, CN, OU)");
        storageRefusals = meter.CreateCounter<long>("sas.storage.refusals", "{write}", "Writes the database's storage refused (disk full, read-only, I/O error)");
        slotIndexReloads = meter.CreateCounter<long>("sas.search.index.reloads", "{read}", "Times this node read its whole slot index (at start, after a gap in its change feed, a quiet half hour, a flood of changes, a mismatch, or its periodic verification)");
        slotIndexMismatches = meter.CreateCounter<long>("sas.search.index.mismatches", "{slot}", "Slots this node's index held differently from the database, found by a check of a search against the statement or by the periodic verification");
        slotIndexChanges = meter.CreateCounter<long>("sas.search.index.changes", "{slot}", "Slots this node read again into its index because the change feed named them");
        territoryCopyReads = meter.CreateCounter<long>("sas.territory.copy.reads", "{read}", "Times this node read the whole territory into its copy (every 25-30 s under load, and after each territory change)");
        // Precise: the runtime's own dotnet.gc.heap.total_allocated (the imprecise count) was seen to stop moving for
        // minutes under the server GC while collections went on; a precise read per scrape costs microseconds.
        meter.CreateObservableGauge("sas.process.allocated", () => GC.GetTotalAllocatedBytes(precise: true), "By", "Bytes this process has allocated since it started: the bench divides its growth by the requests served");
        meter.CreateObservableGauge("sas.deliveries.pending", () => PendingDeliveries, "{delivery}", "Deliveries waiting to be sent, over every node (sampled from the database)");
        meter.CreateObservableGauge("sas.outbox.lag", () => OutboxLagSeconds, "s", "Age of the oldest event not yet delivered to every recipient (sampled from the database)");
    }

    /// <summary>Set by <see cref="OutboxSampler"/>: the database is the only place every node's deliveries are seen.</summary>
    public long PendingDeliveries { get; set; }
    public double OutboxLagSeconds { get; set; }

    public void CertificateRefused(string reason) => certificatesRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void BookingCreated(bool overflow) => bookingsCreated.Add(1, new KeyValuePair<string, object?>("kind", overflow ? "overflow" : "slot"));
    public void BookingRefused(string code) => bookingsRefused.Add(1, new KeyValuePair<string, object?>("code", code));
    public void Hold(string outcome) => holds.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    public void Search(string by) => searches.Add(1, new KeyValuePair<string, object?>("by", by));
    public void Delivery(string recipient, string outcome) =>
        deliveries.Add(1, new KeyValuePair<string, object?>("recipient", recipient), new KeyValuePair<string, object?>("outcome", outcome));
    public void StorageRefused() => storageRefusals.Add(1);
    public void TerritoryCopyRead() => territoryCopyReads.Add(1);
    public void SlotIndexReload() => slotIndexReloads.Add(1);
    public void SlotIndexMismatches(int slots, string by) => slotIndexMismatches.Add(slots, new KeyValuePair<string, object?>("by", by));
    public void SlotIndexChanges(int slots)
    {
        if (slots > 0) slotIndexChanges.Add(slots);
    }
}
