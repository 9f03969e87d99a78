namespace Sas.Api.Tests.Console;

/// <summary>
/// A test in a real browser: Debian's Chromium (<c>chromium</c>, which <c>.ci/run</c> installs when missing; Playwright's
/// own browser download does not work here). Skipped, saying why, only where no Chromium can be found; CI fails on that skip.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public static readonly string? Chromium = new[] { Environment.GetEnvironmentVariable("SAS_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
        .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public BrowserFactAttribute()
    {
        if (Chromium is null) Skip = "no Chromium found (install Debian's chromium, or set SAS_TEST_CHROMIUM): the console's browser tests need one";
        Timeout = 180_000;
    }
}
