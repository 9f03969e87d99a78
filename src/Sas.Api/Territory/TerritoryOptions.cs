using System.ComponentModel.DataAnnotations;

namespace Sas.Api.Territory;

/// <summary>Section <c>Territory</c>.</summary>
public sealed class TerritoryOptions
{
    public const string Section = "Territory";

    /// <summary>How long a node keeps its copy of the sectors for searches and the FHIR query; a change through another node shows within it.</summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 30;
}
