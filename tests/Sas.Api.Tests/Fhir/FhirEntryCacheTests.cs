using Hl7.Fhir.Model;
using Microsoft.Extensions.Time.Testing;
using Sas.Api.Fhir;

namespace Sas.Api.Tests;

/// <summary>The cache of serialized resources: what is read stays, what is not read for two turns goes, and it is bounded.</summary>
public class FhirEntryCacheTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, int> built = [];

    private ReadOnlyMemory<byte> Get(FhirEntryCache cache, string id) => cache.Get((Kind: "Practitioner", Id: id), (Built: built, Id: id), static s =>
    {
        s.Built[s.Id] = s.Built.GetValueOrDefault(s.Id) + 1;
        return FhirResult.SerializeToUtf8(new Practitioner { Id = s.Id });
    });

    [Fact]
    public void An_entry_read_stays_and_one_not_read_for_two_turns_is_built_again()
    {
        var cache = new FhirEntryCache(clock);
        Assert.Contains("\"id\":\"a\"", System.Text.Encoding.UTF8.GetString(Get(cache, "a").Span));
        Get(cache, "a");
        clock.Advance(TimeSpan.FromMinutes(11));
        Get(cache, "b");                          // a new entry after ten minutes: a turn (a and b now old)
        Get(cache, "a");                          // read: brought back
        clock.Advance(TimeSpan.FromMinutes(11));
        Get(cache, "c");                          // another turn: b, not read since, is dropped
        Get(cache, "a");
        Get(cache, "b");

        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2, ["c"] = 1 }, built);
    }

    [Fact]
    public void It_keeps_at_most_its_bound_of_one_kind()
    {
        var cache = new FhirEntryCache(clock);
        for (var i = 0; i < FhirEntryCache.MaxEntries + FhirEntryCache.MaxEntries / 2; i++) Get(cache, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(cache.Count, 1, FhirEntryCache.MaxEntries);
        Get(cache, "1");
        Assert.Equal(2, built["1"]); // among the first, dropped
    }
}
