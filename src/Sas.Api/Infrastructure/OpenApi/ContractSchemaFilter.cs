using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Sas.Api.Infrastructure.OpenApi;

/// <summary>
/// What a client generator needs of each schema. Answers: every property is present (null when it has no value), so
/// all are <c>required</c> and the nullable ones say so. Requests: the properties marked <see cref="RequiredAttribute"/>
/// are required and not nullable; the others may be left out. Then the <see cref="ContractRules"/> of each property,
/// and the examples of <see cref="ContractExamples"/>.
/// </summary>
public sealed class ContractSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema s || context.Type is not { } type) return;
        if (ContractExamples.ByType.TryGetValue(type.Name, out var example)) s.Examples = [example.DeepClone()];
        if (s.Properties is not { Count: > 0 }) return;

        var isInput = type.Name.EndsWith("Input", StringComparison.Ordinal);
        var required = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (property, value) in s.Properties.ToList())
        {
            var member = type.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            var mustBeGiven = !isInput || member?.GetCustomAttribute<RequiredAttribute>() is not null;
            if (mustBeGiven) required.Add(property);
            if (value is not OpenApiSchema p) continue;
            if (isInput && mustBeGiven) NotNull(p);
            if (ContractRules.ForProperty(type.Name, property) is { } rule) Apply(p.Type?.HasFlag(JsonSchemaType.Array) == true && p.Items is OpenApiSchema items ? items : p, rule, p);
        }
        s.Required = required;
    }

    private static void NotNull(OpenApiSchema p)
    {
        if (p.Type is { } t && t.HasFlag(JsonSchemaType.Null)) p.Type = t & ~JsonSchemaType.Null;
        if (p.Type == 0) p.Type = null;
    }

    /// <summary>Puts a rule's constraints on <paramref name="target"/> (the items of an array) and its description on <paramref name="owner"/>.</summary>
    public static void Apply(OpenApiSchema target, ContractRules.Rule rule, OpenApiSchema owner)
    {
        if (rule.Pattern is not null) target.Pattern = rule.Pattern;
        if (rule.Format is not null) target.Format = rule.Format;
        if (rule.MinLength is not null) target.MinLength = rule.MinLength;
        if (rule.MaxLength is not null) target.MaxLength = rule.MaxLength;
        if (rule.Minimum is not null) target.Minimum = rule.Minimum.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (rule.Maximum is not null) target.Maximum = rule.Maximum.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (rule.Enum is not null)
        {
            var values = rule.Enum.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
            if (target.Type?.HasFlag(JsonSchemaType.Null) == true) values.Add(null!);
            target.Enum = values;
        }
        if (rule.Description is not null) owner.Description = rule.Description;
    }
}

/// <summary>Schema names: the C# record's name without <c>Dto</c>; a page is <c>{Item}Page</c>.</summary>
public static class SchemaIds
{
    public static string Of(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Page<>)) return Of(type.GetGenericArguments()[0]) + "Page";
        if (type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails) || type == typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails)) return "Problem";
        var name = type.Name;
        return name.EndsWith("Dto", StringComparison.Ordinal) ? name[..^3] : name;
    }
}
