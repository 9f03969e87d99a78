using Microsoft.Extensions.Options;

namespace Sas.Api.Infrastructure;

/// <summary>
/// Every settings section the same way: bound from its section, checked by its data annotations and its own rules when
/// the service starts (a bad setting stops the start with one line saying which and why: Program.cs), and injected as
/// itself. Each feature registers its own sections.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart().Check(o => Annotations(section, o));
    }

    /// <summary>The data annotations' failures, each named by its setting (<c>Https:Port: The field Port must be…</c>).</summary>
    private static string? Annotations(string section, object options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true)) return null;
        return string.Join(" ", results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
    }

    /// <summary>A rule that holds in Production only (the environment's, read when the options are checked).</summary>
    public static OptionsBuilder<T> ValidateInProduction<T>(this OptionsBuilder<T> options, Func<T, bool> rule, string failure) where T : class =>
        options.Validate<IHostEnvironment>((o, env) => !env.IsProduction() || rule(o), failure);

    /// <summary>A rule whose failure says more than a fixed sentence (the value, the environment): null when it holds.</summary>
    public static OptionsBuilder<T> Check<T, TDep>(this OptionsBuilder<T> options, Func<T, TDep, string?> failure) where T : class where TDep : notnull
    {
        options.Services.AddSingleton<IValidateOptions<T>>(sp => new Rule<T, TDep>(options.Name, failure, sp.GetRequiredService<TDep>()));
        return options;
    }

    public static OptionsBuilder<T> Check<T>(this OptionsBuilder<T> options, Func<T, string?> failure) where T : class =>
        options.Check<T, IServiceProvider>((o, _) => failure(o));

    private sealed class Rule<T, TDep>(string? name, Func<T, TDep, string?> failure, TDep dependency) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options) =>
            name is not null && name != optionsName ? ValidateOptionsResult.Skip
            : failure(options, dependency) is { } message ? ValidateOptionsResult.Fail(message) : ValidateOptionsResult.Success;
    }

    /// <summary>
    /// Checks every section now, before anything is migrated or served, and refuses to start with all their failures in
    /// one line (the host would otherwise check them only when it starts listening, after the migrations). The
    /// Production rules are among them: the configurations that would expose patient data or open the service.
    /// </summary>
    public static void RefuseInvalidSettings(this WebApplication app)
    {
        try { app.Services.GetRequiredService<IStartupValidator>().Validate(); }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            // One section failing throws its exception; several, an AggregateException of theirs.
            var failures = (e is AggregateException all ? all.InnerExceptions : [e]).OfType<OptionsValidationException>().SelectMany(x => x.Failures);
            throw new StartupRefusedException("Refusing to start: " + string.Join(" ", failures), e);
        }
    }
}
