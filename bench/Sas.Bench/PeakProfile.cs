namespace Sas.Bench;

/// <summary>
/// The national peak this API would carry if every SAS in France used it, per second, from the figures in
/// <c>../shared/DOMAIN.md</c> ("Orders of magnitude": the SAS platform's own planning). docs/benchmarks.md gives the
/// sources and the arithmetic; the default run drives <see cref="DefaultMultiple"/> times this.
/// </summary>
public static class PeakProfile
{
    public const double DefaultMultiple = 10;

    /// <summary>SAS participants in 2024 (about 10,000 GPs recognised).</summary>
    public const double Gps = 10_000;

    /// <summary>Each GP's practice software syncs its week every 15 minutes.</summary>
    public const double SyncSeconds = 15 * 60;

    /// <summary>
    /// The share of syncs that change something. A GP's agenda changes a few times a day (a slot added, moved or
    /// withdrawn: two changes over an 8-hour day, 32 syncs): 1 in 16. The rest send the same week again.
    /// </summary>
    public const double ChangedShare = 1.0 / 16;

    /// <summary>About 3,000 slot searches an hour nationally: the platform's FHIR queries, and as many regulator searches where the regulator software searches us directly.</summary>
    public const double SearchesPerHour = 3_000;

    /// <summary>16,000 calls a day passed to operators for a GP appointment, over 10 daytime hours, the peak hour twice the mean.</summary>
    public const double AppointmentsPerDay = 16_000, DaytimeHours = 10, PeakFactor = 2;

    /// <summary>CPTS staff reports: about 400 CPTS, 5 reports each a working day of 8 hours.</summary>
    public const double ReportsPerSecond = 400 * 5 / (8 * 3600.0);

    /// <summary>
    /// Pooled requests (issue #32), an assumed rate: no national figure exists yet. One in ten of the GP-appointment calls
    /// finds no slot that fits and goes to the pool instead of the phone (the field reports' "on appelle les médecins un
    /// par un" is the minority case the SAS planning leaves after slots), at the same daytime peak: 1,600 a day, 0.089 a
    /// second at the peak hour. Each is posted once and accepted once.
    /// </summary>
    public const double PooledShare = 0.1;

    public static double PooledPerSecond => BookingsPerSecond * PooledShare;

    public static double SyncsPerSecond => Gps / SyncSeconds;
    public static double BookingsPerSecond => AppointmentsPerDay / (DaytimeHours * 3600) * PeakFactor;

    /// <summary>Per operation of the bench, the national peak's requests per second.</summary>
    public static IReadOnlyDictionary<string, double> PerSecond => new Dictionary<string, double>
    {
        ["sync_unchanged"] = SyncsPerSecond * (1 - ChangedShare), // 10.4
        ["sync_changed"] = SyncsPerSecond * ChangedShare,          // 0.69
        ["fhir_slots_25gps"] = SearchesPerHour / 3600,             // 0.83
        ["search"] = SearchesPerHour / 3600,                       // 0.83
        ["hold"] = BookingsPerSecond,                              // 0.89: a hold for each booking
        ["booking"] = BookingsPerSecond,                           // 0.89
        ["fill_rate_year"] = ReportsPerSecond,                     // 0.07
        ["request_post"] = PooledPerSecond,                        // 0.089
        ["request_accept"] = PooledPerSecond,                      // 0.089
    };

    public static double Total => PerSecond.Values.Sum();
}
