namespace Sas.Domain.Reports;

/// <summary>
/// Majoration SNP (NGAP art. 14.1.3), all of it configuration: an amount per act, a weekly cap per GP,
/// a maximum delay from the regulation to the consultation, and the origins that count.
/// </summary>
public sealed class MajorationPolicy
{
    public decimal Amount { get; set; } = 15m;
    public int WeeklyCap { get; set; } = 20;
    public int MaxDelayHours { get; set; } = 48;
    public string[] EligibleOrigins { get; set; } = ["sas"];

    /// <summary>
    /// One act counts when it came from an eligible origin, was not cancelled, the patient came (or no
    /// outcome yet says otherwise), the consultation was within the delay of the call, outside PDSA hours,
    /// and the GP is not the patient's own médecin traitant.
    /// </summary>
    public bool IsEligible(string origin, bool cancelled, string? outcome, DateTime requestedAtUtc, DateTime consultationUtc, DateTime consultationLocal, bool gpIsRegularDoctor) =>
        EligibleOrigins.Contains(origin)
        && !cancelled
        && outcome != "no_show"
        && consultationUtc - requestedAtUtc <= TimeSpan.FromHours(MaxDelayHours)
        && !Pdsa.IsPdsa(consultationLocal)
        && !gpIsRegularDoctor;

    public int Capped(int eligibleActs) => Math.Min(eligibleActs, WeeklyCap);

    public decimal AmountFor(int eligibleActs) => Capped(eligibleActs) * Amount;
}
