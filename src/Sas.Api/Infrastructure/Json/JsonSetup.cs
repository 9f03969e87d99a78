using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sas.Api.Infrastructure.Json;

/// <summary>
/// The wire conventions: camelCase, snake_case enumerations given as strings only, and strict
/// reading, so that a typo in a field name or a repeated key is an error and not silently dropped.
/// </summary>
public static class JsonSetup
{
    public const int MaxDepth = 16;

    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.AllowDuplicateProperties = false;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.MaxDepth = MaxDepth;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.RespectNullableAnnotations = true;
        o.RespectRequiredConstructorParameters = true;
    }
}
