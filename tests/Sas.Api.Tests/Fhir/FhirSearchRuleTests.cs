using Sas.Api.Fhir;

namespace Sas.Api.Tests;

public class FhirSearchRuleTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly TimeZoneInfo Reunion = TimeZoneInfo.FindSystemTimeZoneById("Indian/Reunion");
    private const string Gp = "urn:oid:1.2.250.1.71.4.2.1|810000000009"; // 8 + a Luhn-valid RPPS

    private static DateTime Utc(int d, int h, int m = 0, int s = 0) => new(2026, 11, d, h, m, s, DateTimeKind.Utc);

    [Theory]
    [InlineData("Europe/Paris", 2026, 11, 23, 9, "2026-11-23T10:00:00.000+01:00")]
    [InlineData("Europe/Paris", 2026, 7, 1, 9, "2026-07-01T11:00:00.000+02:00")]
    [InlineData("Indian/Reunion", 2026, 11, 23, 9, "2026-11-23T13:00:00.000+04:00")]
    [InlineData("America/Cayenne", 2026, 11, 23, 9, "2026-11-23T06:00:00.000-03:00")]
    public void Instants_are_written_in_the_sector_zone_with_milliseconds_and_offset(string zone, int y, int mo, int d, int h, string expected) =>
        Assert.Equal(expected, FhirInstants.Format(new DateTime(y, mo, d, h, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById(zone)));

    [Theory]
    [InlineData("2026-11-23T10:00:00.000+01:00", 23, 9)]
    [InlineData("2026-11-23T10:00:00+01:00", 23, 9)]
    [InlineData("2026-11-23T09:00:00Z", 23, 9)]
    [InlineData("2026-11-23T09:00:00.000+00", 23, 9)]       // the test kit's performance query
    [InlineData("2026-11-23T10:00:00.000+0100", 23, 9)]
    [InlineData("2026-11-23T10:00:00.000 01:00", 23, 9)]    // an unescaped '+' decoded to a space
    [InlineData("2026-11-23T10:00:00.000", 23, 9)]          // no offset: the platform's zone (Paris)
    [InlineData("2026-11-23T10:00", 23, 9)]
    public void Search_values_read_every_shape_the_platform_sends(string text, int day, int hourUtc)
    {
        Assert.True(FhirInstants.TryParseSearchValue(text, Paris, out var lowest, out _));
        Assert.Equal(Utc(day, hourUtc), lowest);
    }

    [Fact]
    public void A_date_alone_covers_the_local_day_and_seconds_cover_their_second()
    {
        Assert.True(FhirInstants.TryParseSearchValue("2026-11-23", Reunion, out var lo, out var hi));
        Assert.Equal(Utc(22, 20), lo);
        Assert.Equal(Utc(23, 20).AddTicks(-1), hi);
        Assert.True(FhirInstants.TryParseSearchValue("2026-11-23T23:59:59+01:00", Paris, out lo, out hi));
        Assert.Equal(Utc(23, 22, 59, 59), lo);
        Assert.Equal(Utc(23, 22, 59, 59).AddSeconds(1).AddTicks(-1), hi);
    }

    [Theory]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-02-30")]
    [InlineData("2026-11-23T24:00:00Z")]
    [InlineData("2026-11-23T10:00:00+15:00")]
    [InlineData("2026-11-23+01:00")]
    [InlineData("23/11/2026")]
    [InlineData("")]
    public void Malformed_dates_are_refused(string text) =>
        Assert.False(FhirInstants.TryParseSearchValue(text, Paris, out _, out _));

    private static (SlotSearchRequest? Request, IReadOnlyList<SearchIssue> Issues) Parse(params (string Key, string Value)[] q)
    {
        var parsed = Lenient(q);
        return (parsed.Request, parsed.Errors);
    }

    private static SlotSearchParse Lenient(params (string Key, string Value)[] q) => SlotSearchRequest.Parse(q.Select(x => KeyValuePair.Create(x.Key, x.Value)), Paris);
    private static SlotSearchParse Strict(params (string Key, string Value)[] q) => SlotSearchRequest.Parse(q.Select(x => KeyValuePair.Create(x.Key, x.Value)), Paris, strict: true);

    private static readonly (string, string)[] GuideQuery =
    [
        ("_include", "Slot:schedule"), ("_include:iterate", "Schedule:actor"), ("status", "free"),
        ("start", "ge2026-11-23T08:00:00.000+01:00"), ("start", "le2026-11-25T23:59:59.000+01:00"),
        (SlotSearchRequest.PractitionerIdentifier, Gp + ",urn:oid:1.2.250.1.71.4.2.1|810000000017"), ("_count", "1000"),
    ];

    [Fact]
    public void The_guide_query_for_individual_gps_is_understood()
    {
        var (r, issues) = Parse(GuideQuery);
        Assert.Empty(issues);
        Assert.Equal(Utc(23, 7), r!.FromUtc);
        Assert.Equal(Utc(25, 22, 59, 59).AddMilliseconds(1).AddTicks(-1), r.ToUtc); // .000: millisecond precision
        Assert.Equal(["10000000009", "10000000017"], r.RppsNumbers);
        Assert.True(r.IncludeSchedule && r.IncludeScheduleActors);
        Assert.False(r.IsCptsFlow);
    }

    [Fact]
    public void The_cpts_flow_is_recognised_by_its_includes()
    {
        var (r, issues) = Parse([.. GuideQuery, ("_include", "Slot:service-type-reference"), ("_include:iterate", "HealthcareService:organization")]);
        Assert.Empty(issues);
        Assert.True(r!.IsCptsFlow && r.IncludeOrganization);
    }

    [Theory]
    [InlineData("status", "busy", "status")]
    [InlineData("_format", "xml", "_format")]
    [InlineData("_count", "-1", "_count")]
    [InlineData("_cursor", "next", "_cursor")]
    [InlineData("start", "ge2026-11-23T08:00:00.000+01:00,le2026-11-24", "start")]
    [InlineData("start", "sa2026-11-23", "start")]
    public void Malformed_or_unservable_values_are_named(string key, string value, string parameter)
    {
        var (r, issues) = Parse([.. GuideQuery, (key, value)]);
        Assert.Null(r);
        Assert.Contains(issues, i => i.Parameter == parameter);
    }

    [Theory]
    [InlineData("_sort", "start")]
    [InlineData("_total", "accurate")]
    [InlineData("_include", "Schedule:actor")]
    [InlineData("_include", "Slot:practitioner")]
    [InlineData("_include:iterate", "PractitionerRole:location")]
    [InlineData("_elements", "start")]
    public void Unsupported_parameters_are_ignored_unless_the_client_asks_for_strict_handling(string key, string value)
    {
        var lenient = Lenient([.. GuideQuery, (key, value)]);
        Assert.NotNull(lenient.Request);
        Assert.Empty(lenient.Errors);
        Assert.Contains(lenient.Warnings, w => w.Parameter == key && w.Message.EndsWith("ignored", StringComparison.Ordinal));
        Assert.DoesNotContain((key, value), lenient.Applied);
        Assert.Equal(key.StartsWith("_include", StringComparison.Ordinal), lenient.WasApplied(key)); // the guide query's own includes still apply

        var strict = Strict([.. GuideQuery, (key, value)]);
        Assert.Null(strict.Request);
        Assert.Contains(strict.Errors, e => e.Parameter == key);
    }

    [Theory]
    [InlineData("urn:oid:1.2.250.1.71.4.2.1|10000000009", "not an IDNPS")]     // RPPS without the 8
    [InlineData("urn:oid:1.2.250.1.71.4.2.1|810000000001", "check digit")]     // bad Luhn key
    [InlineData("urn:oid:1.2.250.1.71.4.2.2|810000000009", "system")]          // structure OID
    [InlineData("urn:oid:1.2.250.1.71.4.2.1|0441234567", "ADELI")]             // an ADELI IDNPS: a valid form, unknown here
    public void An_unusable_identifier_is_a_warning_and_the_others_are_searched(string bad, string why)
    {
        var parsed = Lenient(("start", "ge2026-11-23"), ("start", "le2026-11-24"), (SlotSearchRequest.PractitionerIdentifier, $"{Gp}, {bad}"));
        Assert.Empty(parsed.Errors);
        Assert.Equal(["10000000009"], parsed.Request!.RppsNumbers);
        var warning = Assert.Single(parsed.Warnings);
        Assert.Equal(SlotSearchRequest.PractitionerIdentifier, warning.Parameter);
        Assert.Contains(why, warning.Message);
    }

    [Fact]
    public void An_empty_identifier_list_is_refused_and_one_with_only_unusable_identifiers_searches_nobody()
    {
        Assert.Contains(Parse(("start", "ge2026-11-23"), ("start", "le2026-11-24"), (SlotSearchRequest.PractitionerIdentifier, "")).Issues,
            i => i.Parameter == SlotSearchRequest.PractitionerIdentifier);
        var parsed = Lenient(("start", "ge2026-11-23"), ("start", "le2026-11-24"), (SlotSearchRequest.PractitionerIdentifier, "810000000001"));
        Assert.Empty(parsed.Request!.RppsNumbers);
        Assert.Single(parsed.Warnings);
    }

    [Fact]
    public void A_page_token_names_the_last_slot_of_the_previous_page()
    {
        var cursor = new Sas.Domain.Time.TimeCursor(Utc(23, 9), 42);
        Assert.True(Sas.Domain.Time.TimeCursor.TryParse(cursor.ToString(), out var read));
        Assert.Equal(cursor, read);
        Assert.Equal(cursor, Parse([.. GuideQuery, ("_cursor", cursor.ToString())]).Request!.After);
        Assert.True(cursor.Precedes(Utc(23, 9), 43));
        Assert.True(cursor.Precedes(Utc(23, 10), 1));
        Assert.False(cursor.Precedes(Utc(23, 9), 42));
        Assert.False(cursor.Precedes(Utc(23, 8), 99));
    }

    [Fact]
    public void At_most_25_practitioners_and_31_days_and_both_bounds()
    {
        var many = string.Join(',', Enumerable.Repeat(Gp, 26));
        Assert.Contains(Parse(("start", "ge2026-11-23"), ("start", "le2026-11-24"), (SlotSearchRequest.PractitionerIdentifier, many)).Issues,
            i => i.Message.Contains("25"));
        Assert.Contains(Parse(("start", "ge2026-11-01"), ("start", "le2026-12-24"), (SlotSearchRequest.PractitionerIdentifier, Gp)).Issues,
            i => i.Message.Contains("31 days"));
        Assert.Contains(Parse(("start", "ge2026-11-01"), (SlotSearchRequest.PractitionerIdentifier, Gp)).Issues, i => i.Parameter == "start");
        Assert.Contains(Parse(("start", "ge2026-11-01"), ("start", "le2026-11-02")).Issues, i => i.Parameter == SlotSearchRequest.PractitionerIdentifier);
        var exactly25 = string.Join(',', Enumerable.Repeat(Gp, 25));
        Assert.Empty(Parse(("start", "ge2026-11-23"), ("start", "le2026-11-24"), (SlotSearchRequest.PractitionerIdentifier, exactly25)).Issues);
    }

    [Fact]
    public void Iterate_includes_need_their_base_include()
    {
        var (_, issues) = Parse(("start", "ge2026-11-23"), ("start", "le2026-11-24"), (SlotSearchRequest.PractitionerIdentifier, Gp),
            ("_include:iterate", "HealthcareService:organization"));
        Assert.Contains(issues, i => i.Parameter == "_include:iterate");
    }

    [Fact]
    public void Gt_and_lt_exclude_the_instant_they_name()
    {
        var (r, _) = Parse(("start", "gt2026-11-23T10:00:00Z"), ("start", "lt2026-11-24T10:00:00Z"), (SlotSearchRequest.PractitionerIdentifier, Gp));
        Assert.Equal(Utc(23, 10, 0, 1), r!.FromUtc);
        Assert.Equal(Utc(24, 10).AddTicks(-1), r.ToUtc);
    }
}
