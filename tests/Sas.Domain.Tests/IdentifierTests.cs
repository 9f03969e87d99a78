using Sas.Domain.Identifiers;

namespace Sas.Domain.Tests;

public class IdentifierTests
{
    [Theory]
    [InlineData("79927398713", true)]   // the textbook Luhn example, 11 digits like an RPPS
    [InlineData("79927398710", false)]  // wrong key
    [InlineData("7992739871", false)]   // 10 digits
    [InlineData("799273987130", false)] // 12 digits
    [InlineData("7992739871A", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Rpps_is_eleven_digits_with_a_luhn_key(string? rpps, bool valid) => Assert.Equal(valid, Rpps.IsValid(rpps));

    [Fact]
    public void Every_single_digit_change_of_an_rpps_is_caught()
    {
        const string rpps = "79927398713";
        for (var i = 0; i < rpps.Length; i++)
            for (var d = '0'; d <= '9'; d++)
            {
                if (d == rpps[i]) continue;
                var changed = rpps[..i] + d + rpps[(i + 1)..];
                Assert.False(Rpps.IsValid(changed), changed);
            }
    }

    [Theory]
    [InlineData("750712184", true)]  // AP-HP
    [InlineData("750712185", false)]
    [InlineData("75071218", false)]
    [InlineData("7507121844", false)]
    public void Finess_is_nine_characters_with_a_luhn_key(string finess, bool valid) => Assert.Equal(valid, Finess.IsValid(finess));

    [Fact]
    public void Corsican_finess_reads_2A_and_2B_as_20_for_the_key()
    {
        var key = Luhn.CheckDigit("20000001");
        Assert.True(Finess.IsValid("2A000001" + key));
        Assert.True(Finess.IsValid("2B000001" + key));
        Assert.False(Finess.IsValid("2C000001" + key));
        Assert.False(Finess.IsValid("2A000001" + (char)('0' + (key - '0' + 1) % 10)));
    }

    [Theory]
    [InlineData("73282932000074", true)]  // a published SIRET (Luhn)
    [InlineData("73282932000075", false)] // wrong key
    [InlineData("7328293200007", false)]  // 13 digits
    [InlineData("7328293200007A", false)]
    [InlineData("35600000000048", true)]  // La Poste's head office: Luhn
    [InlineData("35600000012346", true)]  // a La Poste establishment: digits add up to 30
    [InlineData("35600000012345", false)] // 29
    [InlineData(null, false)]
    public void Siret_is_fourteen_digits_with_a_luhn_key_or_la_postes_rule(string? siret, bool valid) => Assert.Equal(valid, Siret.IsValid(siret));

    [Theory]
    [InlineData("44109", true)]
    [InlineData("2A004", true)]
    [InlineData("2B033", true)]
    [InlineData("97411", true)]
    [InlineData("2C004", false)]
    [InlineData("4410", false)]
    [InlineData("441090", false)]
    [InlineData("A4109", false)]
    public void Insee_code_shape(string code, bool valid) => Assert.Equal(valid, InseeCode.HasValidShape(code));

    [Theory]
    [InlineData("44109", "44")]
    [InlineData("2A004", "2A")]
    [InlineData("97411", "974")]
    public void Insee_code_department(string code, string department) => Assert.Equal(department, InseeCode.Department(code));

    [Fact]
    public void Check_digit_completes_a_payload_into_a_valid_number()
    {
        var rpps = "1000000010" + Luhn.CheckDigit("1000000010");
        Assert.True(Rpps.IsValid(rpps));
    }

    [Theory]
    [InlineData("441234564", true)]
    [InlineData("2A1234564", true)]     // Corsica, read as 20 for the key
    [InlineData("441234567", false)]    // the key is wrong
    [InlineData("2C1234564", false)]
    [InlineData("44123456", false)]
    public void Adeli_is_nine_characters_with_a_luhn_key(string adeli, bool valid) => Assert.Equal(valid, Adeli.IsValid(adeli));

    [Theory]
    [InlineData("10000000009", "810000000009")]
    [InlineData("441234564", "0441234564")]
    public void A_professional_id_is_an_rpps_or_an_adeli_and_its_idnps_names_which(string id, string idnps)
    {
        Assert.True(ProfessionalId.IsValid(id));
        Assert.Equal(idnps, ProfessionalId.ToIdnps(id));
        Assert.Equal(id, ProfessionalId.FromIdnps(idnps));
    }

    [Theory]
    [InlineData("810000000001")]  // an RPPS with a wrong key
    [InlineData("0441234567")]    // an ADELI with a wrong key
    [InlineData("10000000009")]   // no prefix
    [InlineData("8441234564")]    // an ADELI under the RPPS prefix
    public void An_idnps_that_names_no_valid_professional_gives_nothing(string idnps) => Assert.Null(ProfessionalId.FromIdnps(idnps));
}
