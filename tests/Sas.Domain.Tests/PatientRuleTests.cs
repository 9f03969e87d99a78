using Sas.Domain.Patients;

namespace Sas.Domain.Tests;

public class PatientRuleTests
{
    [Theory]
    [InlineData("255081416802538", true)]   // the usual published example: key 38
    [InlineData("255081416802539", false)]
    [InlineData("25508141680253", false)]   // 14 characters
    [InlineData("2550814168025AB", false)]
    [InlineData(null, false)]
    public void Ins_key_is_97_minus_the_number_mod_97(string? ins, bool valid) => Assert.Equal(valid, Ins.IsValid(ins));

    [Fact]
    public void Corsican_ins_reads_2A_as_19_and_2B_as_18()
    {
        // 2A: the number is taken with 19 in place of 2A; 2B with 18.
        var a = "18503" + "2A" + "004123";
        var b = "18503" + "2B" + "004123";
        Assert.Equal((97 - 1850319004123 % 97).ToString("D2"), Ins.Key(a));
        Assert.Equal((97 - 1850318004123 % 97).ToString("D2"), Ins.Key(b));
        Assert.True(Ins.IsValid(a + Ins.Key(a)));
        Assert.True(Ins.IsValid(b + Ins.Key(b)));
        Assert.NotEqual(Ins.Key(a), Ins.Key(b));
        Assert.False(Ins.IsValid(a + Ins.Key(b)));
        Assert.False(Ins.IsValid("18503" + "2C" + "004123" + "00"));
    }

    [Theory]
    [InlineData("0612345678", "+33612345678")]
    [InlineData("01 45 67 89 10", "+33145678910")]
    [InlineData("+33 (0)6 12 34 56 78", "+33612345678")]
    [InlineData("0262 12 34 56", "+262262123456")]
    [InlineData("0696 12 34 56", "+596696123456")]
    [InlineData("0594 12 34 56", "+594594123456")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("0692 12 34 56", "+262692123456")]    // La Réunion mobile
    [InlineData("0639 69 12 34", "+262639691234")]    // Mayotte mobile
    [InlineData("0690 12 34 56", "+590690123456")]    // Guadeloupe mobile
    [InlineData("0694 20 12 34", "+594694201234")]    // Guyane mobile
    [InlineData("+32 470 12 34 56", "+32470123456")]
    [InlineData("+1 415 555 2671", "+14155552671")]
    [InlineData("+689 87 12 34 56", "+68987123456")]  // Polynésie française
    public void Phones_normalise_to_e164(string input, string expected)
    {
        Assert.True(Phones.TryNormalise(input, out var e164));
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("061234567")]
    [InlineData("+0612345678")]
    [InlineData("+3361234567")]  // French numbers have 9 digits after +33
    [InlineData("06 12 34 56 7a")]
    [InlineData("")]
    [InlineData("00 12 34 56 78")]  // country code 1 with four digits: the GP could not call back
    [InlineData("+999 1234 5678")]  // no country has +999
    [InlineData("+33 1 23")]
    [InlineData("08 00 00 00 0")]
    [InlineData("00 00 00 00 00")]
    public void Bad_phones_are_refused(string input) => Assert.False(Phones.TryNormalise(input, out _));

    [Theory]
    [InlineData("00 12 34 56 78", "country code +1")]
    [InlineData("+999 1234 5678", "no country's calling code")]
    [InlineData("05 55 12", "French number")]
    public void A_refusal_says_what_is_wrong_without_repeating_the_number(string input, string says)
    {
        var why = Phones.Check(input, out _)?.Message;
        Assert.NotNull(why);
        Assert.Contains(says, why);
        Assert.DoesNotContain(input.Replace(" ", ""), why.Replace(" ", ""));
    }

    [Fact]
    public void Double_zero_is_the_international_prefix()
    {
        Assert.True(Phones.TryNormalise("00 44 20 7946 0958", out var e164));
        Assert.Equal("+442079460958", e164);
    }

    [Fact]
    public void Birth_dates_are_not_in_the_future_nor_over_120_years_ago()
    {
        var today = new DateOnly(2026, 11, 23);
        Assert.Null(BirthDates.Check("2026-11-23", today, out _));
        Assert.Null(BirthDates.Check("1906-11-23", today, out _));
        Assert.Equal("is in the future", BirthDates.Check("2026-11-24", today, out _)?.Message);
        Assert.Equal("is more than 120 years ago", BirthDates.Check("1906-11-22", today, out _)?.Message);
        Assert.Equal("must be a date as yyyy-MM-dd", BirthDates.Check("1990-02-30", today, out _)?.Message);
    }
}
