using System.ComponentModel.DataAnnotations;

namespace Sas.Api.Search;

/// <summary>Section <c>Search</c>: the node's slot index and the checks that keep it honest.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>Searches from the node's slot index (SQLite, PostgreSQL); false runs the search statement every time.</summary>
    public bool Index { get; set; } = true;

    /// <summary>
    /// The share of searches also run by the statement in the background, in the same snapshot as the index, and compared
    /// (a mismatch is logged with the slot ids, counted in <c>sas.search.index.mismatches</c>, and reloads the index).
    /// A check also follows every reload.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ShadowShare { get; set; } = 0.001;

    /// <summary>Whether the first search after each reload of the index is checked that way too.</summary>
    public bool CheckAfterReload { get; set; } = true;

    /// <summary>How often the whole index is read again and compared with what it held, whatever happened.</summary>
    [Range(1, 7 * 24 * 60)]
    public int VerifyMinutes { get; set; } = 15;

    /// <summary>How long a search waits for the index's turn (a read of the feed under way) before answering 503.</summary>
    [Range(1, 300)]
    public int TurnWaitSeconds { get; set; } = 20;

    /// <summary>
    /// How often a node reads its feed when no search did (0: never). A node without searches for a while — a quiet
    /// night while practices go on publishing — would otherwise make its next search read everything changed meanwhile
    /// (2026-12-07: the bench's first search after two minutes of writes alone waited 140-180 ms for it).
    /// </summary>
    [Range(0, 300)]
    public int FollowSeconds { get; set; } = 2;

    /// <summary>
    /// How long start-up waits, at most, for the slot index's first read and the FHIR warm-up before the server listens
    /// (<see cref="Infrastructure.WarmUpGate"/>); 0 listens at once and leaves them to finish in the background.
    /// </summary>
    [Range(0, 600)]
    public int WarmUpSeconds { get; set; } = 30;
}

/// <summary>The reads of the slot index, as <see cref="SlotIndexHooks"/> names them.</summary>
public enum IndexRead { Position, Changes, Slots, Range, Sites, Professions }

/// <summary>
/// Where tests inject faults into the slot index's reads and watch its steps; none in a running service. The same
/// points a failure can strike in production: before each read, and between building a new index and swapping it in.
/// </summary>
public class SlotIndexHooks
{
    public virtual ValueTask BeforeReadAsync(IndexRead read) => ValueTask.CompletedTask;

    public virtual ValueTask BeforeSwapAsync() => ValueTask.CompletedTask;
}
