using Sas.Api.Infrastructure.Auth;
using Sas.Api.Territory;

namespace Sas.Api.Console;

/// <summary>The CPTS a CPTS page shows: the one asked when the caller covers it, else the caller's first (an admin's: any).</summary>
public static class CptsChoice
{
    public static async Task<(CptsRow? Cpts, IReadOnlyList<CptsRow> Choices)> ForAsync(TerritoryStore territory, Caller caller, string? asked, CancellationToken ct)
    {
        var all = await territory.ListCptsAsync(ct);
        IReadOnlyList<CptsRow> choices = caller.IsAdmin ? all : [.. all.Where(c => caller.CoversCpts(c.Finess))];
        return (choices.FirstOrDefault(c => c.Finess == asked) ?? choices.FirstOrDefault(), choices);
    }
}
