using Sas.Domain.Reports;

namespace Sas.Domain.Tests;

public class ReportRuleTests
{
    [Theory]
    [InlineData(2026, 4, 5)]
    [InlineData(2027, 3, 28)]
    [InlineData(2024, 3, 31)]
    public void Easter_sunday(int year, int month, int day) => Assert.Equal(new DateOnly(year, month, day), FrenchHolidays.EasterSunday(year));

    [Theory]
    [InlineData("2026-01-01", true)]
    [InlineData("2026-04-06", true)]   // Easter Monday
    [InlineData("2026-05-14", true)]   // Ascension
    [InlineData("2026-05-25", true)]   // Whit Monday
    [InlineData("2026-07-14", true)]
    [InlineData("2026-11-11", true)]
    [InlineData("2026-04-05", false)]  // Easter Sunday is a Sunday, not a listed holiday
    [InlineData("2026-11-23", false)]
    public void French_public_holidays(string day, bool holiday) => Assert.Equal(holiday, FrenchHolidays.IsHoliday(DateOnly.Parse(day)));

    [Theory]
    [InlineData("2026-11-23 07:59", true)]   // Monday before 08:00
    [InlineData("2026-11-23 08:00", false)]
    [InlineData("2026-11-23 19:59", false)]
    [InlineData("2026-11-23 20:00", true)]
    [InlineData("2026-11-21 11:59", false)]  // Saturday morning
    [InlineData("2026-11-21 12:00", true)]   // Saturday afternoon
    [InlineData("2026-11-22 10:00", true)]   // Sunday
    [InlineData("2026-11-11 10:00", true)]   // Armistice
    public void Pdsa_hours(string local, bool pdsa) => Assert.Equal(pdsa, Pdsa.IsPdsa(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture)));

    private static readonly DateTime Consultation = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Local = new(2026, 11, 23, 10, 0, 0);

    [Fact]
    public void A_majoration_needs_every_condition()
    {
        var policy = new MajorationPolicy();
        Assert.True(policy.IsEligible("sas", false, "honoured", Consultation.AddHours(-48), Consultation, Local, false));
        Assert.False(policy.IsEligible("sas", false, "honoured", Consultation.AddHours(-48).AddSeconds(-1), Consultation, Local, false));
        Assert.False(policy.IsEligible("pharmacy", false, "honoured", Consultation.AddHours(-1), Consultation, Local, false));
        Assert.False(policy.IsEligible("sas", true, null, Consultation.AddHours(-1), Consultation, Local, false));
        Assert.False(policy.IsEligible("sas", false, "no_show", Consultation.AddHours(-1), Consultation, Local, false));
        Assert.False(policy.IsEligible("sas", false, "honoured", Consultation.AddHours(-1), Consultation, Local.AddHours(11), false));
        Assert.False(policy.IsEligible("sas", false, "honoured", Consultation.AddHours(-1), Consultation, Local, gpIsRegularDoctor: true));
    }

    [Theory]
    [InlineData(19, 19, 285)]
    [InlineData(20, 20, 300)]
    [InlineData(21, 20, 300)]
    [InlineData(0, 0, 0)]
    public void The_weekly_cap(int eligible, int capped, int amount)
    {
        var policy = new MajorationPolicy();
        Assert.Equal(capped, policy.Capped(eligible));
        Assert.Equal(amount, policy.AmountFor(eligible));
    }

    [Fact]
    public void The_policy_is_configuration()
    {
        var policy = new MajorationPolicy { Amount = 10m, WeeklyCap = 5, MaxDelayHours = 24, EligibleOrigins = ["sas", "cpts_line"] };
        Assert.Equal(50m, policy.AmountFor(9));
        Assert.True(policy.IsEligible("cpts_line", false, null, Consultation.AddHours(-24), Consultation, Local, false));
        Assert.False(policy.IsEligible("sas", false, null, Consultation.AddHours(-25), Consultation, Local, false));
    }

    [Fact]
    public void Percentiles_and_fill_rates()
    {
        var histogram = new (long, long)[] { (10, 1), (20, 1), (30, 1), (40, 1), (50, 6) };
        Assert.Equal(50, Figures.Percentile(histogram, 0.5));
        Assert.Equal(10, Figures.Percentile(histogram, 0.1));
        Assert.Equal(40, Figures.Percentile(histogram, 0.4));
        Assert.Null(Figures.Percentile([], 0.5));
        Assert.Null(Figures.FillRate(0, 0));
        Assert.Equal(0.6667, Figures.FillRate(2, 3));
    }

    [Theory]
    [InlineData("2026-12-28", "2026-W53")]
    [InlineData("2027-01-03", "2026-W53")]
    [InlineData("2027-01-04", "2027-W01")]
    [InlineData("2025-12-29", "2026-W01")]
    public void Iso_weeks(string day, string week) => Assert.Equal(week, Buckets.Week(DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
}
