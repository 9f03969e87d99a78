using System.Text.RegularExpressions;

namespace Sas.Api.Tests.Support;

/// <summary>A console form as a browser posts it: the page's antiforgery token, and the fields given.</summary>
public static partial class ConsoleForms
{
    public static FormUrlEncodedContent With(string page, params (string Name, string Value)[] fields) => new(
        [new("__RequestVerificationToken", Token().Match(page).Groups[1].Value),
         .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
