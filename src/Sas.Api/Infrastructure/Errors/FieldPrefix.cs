namespace Sas.Api.Infrastructure.Errors;

/// <summary>
/// Where a nested object's fields are named in an error (<c>slots[3].start</c>), written only when an error is: a sync
/// of 70 valid slots used to build every field name of every slot, and none was ever shown.
/// </summary>
public readonly record struct FieldPrefix(string? Collection, int Index)
{
    /// <summary>The top level: fields named as they are.</summary>
    public static FieldPrefix None => default;

    public string Of(string name) => Collection is null ? name : $"{Collection}[{Index}].{name}";

    /// <summary>The object itself (<c>slots[3]</c>).</summary>
    public string Self => Collection is null ? "" : $"{Collection}[{Index}]";
}
