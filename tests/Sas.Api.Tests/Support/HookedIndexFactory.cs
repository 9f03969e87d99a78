using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Search;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A host whose slot index reads go through <see cref="FaultyIndexHooks"/>, with the index's own checks off (no
/// verification, no shadow check): the only reads are those the test makes or waits for.
/// </summary>
public class HookedIndexFactory : SasApiFactory
{
    public FaultyIndexHooks Hooks { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Search:VerifyMinutes", "1440"), new("Search:ShadowShare", "0"), new("Search:CheckAfterReload", "false")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<SlotIndexHooks>(Hooks));
    }
}
