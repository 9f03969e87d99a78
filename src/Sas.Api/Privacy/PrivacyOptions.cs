using System.ComponentModel.DataAnnotations;

namespace Sas.Api.Privacy;

/// <summary>Section <c>Privacy</c>.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    /// <summary>Days after the consultation the patient's details are kept, then cleared (the statistics keep no identity).</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;
}
