using Microsoft.Playwright;

namespace Sas.Api.Tests.Console;

/// <summary>Debian's Chromium driven by Playwright, headless, for the console's browser tests.</summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private Chromium(IPlaywright playwright, IBrowser browser) { this.playwright = playwright; this.browser = browser; }

    /// <summary>A started browser; null where no Chromium is installed (the test is skipped then, see <see cref="BrowserFactAttribute"/>).</summary>
    public static async Task<Chromium?> LaunchAsync()
    {
        if (BrowserFactAttribute.Chromium is null) return null;
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>
    /// A browser context whose waits allow a CI machine running three test assemblies at once on 2 cores: two runs timed
    /// out at Playwright's default 30 s waiting for a page this machine renders in well under a second.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
