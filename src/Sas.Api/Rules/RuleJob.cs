using Hangfire;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Rules;

/// <summary>Makes every rule's slots as the booking horizons move: hourly, safe on several nodes at once (RuleStore).</summary>
public sealed class RuleJob(RuleService rules, ILogger<RuleJob> logger)
{
    public const string Id = "rules:make-slots";
    public const string Cron = "7 * * * *";

    /// <summary>Who the audit trail names for the slots the job makes.</summary>
    public static readonly Caller System = new("system:" + Id, "system", new HashSet<string>());

    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var run = await rules.MakeAllAsync(System, ct);
        if (run.Made > 0)
            logger.LogInformation("Availability rules made {Count} slots in {Transactions} transactions, the longest {Milliseconds} ms",
                run.Made, run.Transactions, (int)run.LongestTransaction.TotalMilliseconds);
        return run.Made;
    }
}
