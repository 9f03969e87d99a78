namespace Sas.Api.Tests.Support;

/// <summary>
/// The suite's tiers, as xUnit traits: plain <c>dotnet test</c> runs them all (CI does), and a developer's inner loop
/// may leave the long ones out with <c>dotnet test --filter "Tier!=browser&amp;Tier!=process&amp;Tier!=slow"</c>.
/// </summary>
public static class Tier
{
    public const string Name = "Tier";

    /// <summary>Drives Chromium through the console (Playwright).</summary>
    public const string Browser = "browser";

    /// <summary>Starts the API as its own process (start-up refusals, kill -9).</summary>
    public const string Process = "process";

    /// <summary>Runs for tens of seconds by design (the bench's quick run, the chaos test, allocation measures).</summary>
    public const string Slow = "slow";
}
