using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Domain.Time;
using Sas.Domain.Validation;

namespace Sas.Api.Infrastructure.Errors;

/// <summary>
/// Collects field errors so one answer lists every problem of a request, not just the first: each as the rule it broke
/// (<see cref="FieldRule"/>), answered in English to programs, read by its id where a person is told (the console).
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<FieldRule>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    /// <summary>How many fields have an error: to tell whether a step added one, without copying them.</summary>
    public int Count => errors.Count;

    public ValidationErrors Add(string field, FieldRule rule)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        list.Add(rule);
        return this;
    }

    /// <summary>A rule said in this one place: its message is its own (the console shows it as the API gives it).</summary>
    public ValidationErrors Add(string field, string message) => Add(field, new FieldRule("other", message));

    /// <summary>The same errors for fields inside an object of the request (<c>rule.site</c>).</summary>
    public ValidationErrors Nested(string parent)
    {
        var nested = new ValidationErrors();
        foreach (var (field, rules) in errors) nested.errors[$"{parent}.{field}"] = rules;
        return nested;
    }

    /// <summary>The rules each field broke, for a person to be told (in their language, by the rules' ids).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FieldRule>> Rules => errors.ToDictionary(e => e.Key, e => (IReadOnlyList<FieldRule>)e.Value, StringComparer.Ordinal);

    /// <summary>A value that must be given; answers whether it was.</summary>
    public bool Required<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] T? value, string field) => Required(value, FieldPrefix.None, field);

    /// <summary>Required text of bounded length; answers whether it passed.</summary>
    public bool Text(string field, string? value, int max, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Add(field, FieldRules.Required);
            return !required;
        }
        if (value.Length > max) { Add(field, FieldRules.TooLong(max)); return false; }
        return true;
    }

    /// <summary>
    /// A professional's <c>profession</c> (a general practitioner when absent) and a <c>specialty</c> that goes with it:
    /// the profession, or null after recording what is wrong. The one check of a registration and of a pooled request.
    /// </summary>
    public Domain.Professions.Profession? Profession(string? profession, string? specialty)
    {
        var found = Domain.Professions.Professions.Find(profession ?? Domain.Professions.Professions.GeneralPractitioner.Name);
        if (found is null) Add("profession", $"must be one of {string.Join(", ", Domain.Professions.Professions.Names)}");
        else if (Domain.Professions.Professions.SpecialtyProblem(found, specialty) is { } wrong) Add("specialty", wrong);
        return found;
    }

    /// <summary>
    /// A comma-separated list of profession names (<c>profession=nurse,physician</c>), each known: the distinct names, or
    /// null when none was given or after recording the unknown one. Searches and reports read it the same way.
    /// </summary>
    public string[]? ProfessionList(string? text)
    {
        if (text is null) return null;
        var names = text.Split(',', StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (names.FirstOrDefault(n => Domain.Professions.Professions.Find(n) is null) is not { } unknown) return names;
        Add("profession", $"'{Infrastructure.Text.Quoted(unknown)}' is not one of {string.Join(", ", Domain.Professions.Professions.Names)}");
        return null;
    }

    /// <summary>An instant with an offset, inside the API's range; answers it in UTC (whole seconds) or null after recording the error.</summary>
    public DateTime? Instant(string field, string? value, bool required = true) => Instant(FieldPrefix.None, field, value, required);

    /// <summary><see cref="Instant(string, string?, bool)"/> for a nested object's field, named only if it is wrong.</summary>
    public DateTime? Instant(FieldPrefix prefix, string name, string? value, bool required = true)
    {
        if (value is null && !required) return null;
        if (!Instants.TryParse(value, out var parsed))
        {
            Add(prefix.Of(name), value is null ? FieldRules.Required : new FieldRule("offset_required", Instants.OffsetRequired));
            return null;
        }
        var utc = Instants.ToStoredUtc(parsed);
        if (Instants.IsInRange(utc)) return utc;
        Add(prefix.Of(name), new FieldRule("out_of_range", Instants.OutOfRange));
        return null;
    }

    /// <summary><see cref="Required{T}(T, string)"/> for a nested object's field, named only if it is missing.</summary>
    public bool Required<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] T? value, FieldPrefix prefix, string name)
    {
        if (value is not null) return true;
        Add(prefix.Of(name), FieldRules.Required);
        return false;
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.Select(r => r.Message).ToArray(), StringComparer.Ordinal);

    public ProblemHttpResult ToProblem(ErrorCode? code = null) => Problems.Validation(ToDictionary(), code);
}
