namespace Sas.Api.Console;

/// <summary>Section <c>Console</c>: where people's browsers reach the console.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>
    /// The console's address as a regulator's browser reaches it: the agenda links the SAS platform receives in
    /// <c>Slot.comment</c> start with it. Else <c>Fhir:PublicBaseUrl</c>, else the request's own scheme and host.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The base agenda links are built on, for a request that came in at <paramref name="requestBase"/>.</summary>
    public string AgendaBase(string requestBase) =>
        string.IsNullOrWhiteSpace(PublicBaseUrl) ? requestBase : PublicBaseUrl.TrimEnd('/');
}

/// <summary>
/// The link the SAS platform opens for a regulator who picked one of our slots (flow "V2"): the GP's agenda in this
/// console, the slot preselected. It carries a query string already, because the platform appends <c>&amp;origin=sas…</c>.
/// </summary>
public static class AgendaLink
{
    public const string Route = ConsoleSetup.Path + "/agenda/{rpps}";

    /// <summary>The query parameter naming the slot to show first.</summary>
    public const string SlotParameter = "creneau";

    public static string For(string baseUrl, string rpps, long slotId) =>
        $"{baseUrl}{ConsoleSetup.Path}/agenda/{rpps}?{SlotParameter}={slotId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
