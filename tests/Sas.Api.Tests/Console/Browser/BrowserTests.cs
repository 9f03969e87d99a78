using Microsoft.Playwright;

namespace Sas.Api.Tests.Console;

/// <summary>A test class with its own Chromium: launched before its tests, closed after them.</summary>
public abstract class BrowserTests : IAsyncLifetime
{
    private Chromium? chromium;

    protected Chromium Browser => chromium ?? throw new InvalidOperationException("Chromium is launched before the tests");

    public async Task InitializeAsync() => chromium = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (chromium is not null) await chromium.DisposeAsync();
    }

    /// <summary>A page of its own, in French, that accepts the tests' HTTPS certificate (the console and its provider's pages).</summary>
    protected async Task<IPage> NewHttpsPageAsync() =>
        await (await Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, Locale = "fr-FR" })).NewPageAsync();
}
