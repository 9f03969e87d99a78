using Microsoft.Extensions.Configuration;

namespace Sas.Api.Tests.Support;

/// <summary>
/// Settings a test changes while the host runs, as an operator edits a reloaded settings file: options monitors see
/// the change (<see cref="Set"/> raises the reload).
/// </summary>
public sealed class ChangingConfiguration : IConfigurationSource
{
    private readonly Provider provider = new();

    public IConfigurationProvider Build(IConfigurationBuilder builder) => provider;

    /// <summary>Sets (or, with null, removes) every key given, then reloads once.</summary>
    public void Set(params (string Key, string? Value)[] settings)
    {
        foreach (var (key, value) in settings) provider.Put(key, value);
        provider.Reload();
    }

    private sealed class Provider : ConfigurationProvider
    {
        public void Put(string key, string? value)
        {
            if (value is null) foreach (var k in Data.Keys.Where(k => k == key || k.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)).ToList()) Data.Remove(k);
            else Data[key] = value;
        }

        public void Reload() => OnReload();
    }
}
