namespace Sas.Api;

/// <summary>Section <c>Sas</c>: the service's start-up data.</summary>
public sealed class SasOptions
{
    public const string Section = "Sas";

    /// <summary>Demo territory, GPs, slots and publicly known keys: Development only.</summary>
    public bool DemoData { get; set; }

    /// <summary>An admin client with this key (16 characters at least) is created at start-up if not there yet.</summary>
    public string? BootstrapAdminKey { get; set; }
}
