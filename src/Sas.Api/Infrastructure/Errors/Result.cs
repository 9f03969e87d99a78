using Microsoft.AspNetCore.Http.HttpResults;

namespace Sas.Api.Infrastructure.Errors;

/// <summary>
/// What a use case came to: its value, or why not — a refusal (one of <see cref="ErrorCodes"/>, with a detail when the
/// code's meaning is not enough) or the fields at fault (<see cref="ValidationErrors"/>, each by the rule it broke).
/// Endpoints answer it as a typed result or a problem; the console's pages read it and tell a person, in French.
/// </summary>
public sealed class Result<T>
{
    private Result(T? value, ErrorCode? refusal, string? detail, ValidationErrors? invalid)
    {
        Value = value;
        Refusal = refusal;
        Detail = detail;
        Invalid = invalid;
    }

    public T? Value { get; }
    public ErrorCode? Refusal { get; }
    public string? Detail { get; }
    public ValidationErrors? Invalid { get; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Value))]
    public bool Succeeded => Refusal is null && Invalid is null;

    public static implicit operator Result<T>(T value) => new(value, null, null, null);

    /// <summary>A success (where the value is typed as an interface, which an implicit conversion cannot take).</summary>
    public static Result<T> From(T value) => new(value, null, null, null);

    public static Result<T> Refused(ErrorCode code, string? detail = null) => new(default, code, detail, null);

    /// <summary>Fields at fault: answered 422 <c>validation_failed</c>, or <paramref name="code"/> when the shape is the same but the meaning more precise.</summary>
    public static Result<T> Rejected(ValidationErrors errors, ErrorCode? code = null) => new(default, code, null, errors);

    /// <summary>The same refusal for another use case's value.</summary>
    public Result<TOther> As<TOther>() => new Result<TOther>(default, Refusal, Detail, Invalid).Checked();

    private Result<T> Checked() => Succeeded ? throw new InvalidOperationException("a success has no refusal to pass on") : this;

    /// <summary>The refusal as the API answers it.</summary>
    /// <summary>The refusal, its field errors named inside <paramref name="parent"/> (the request's object they came from).</summary>
    public ProblemHttpResult ProblemNestedIn(string parent) => Invalid is not null ? Invalid.Nested(parent).ToProblem(Refusal) : Problem();

    public ProblemHttpResult Problem() => Invalid is not null ? Invalid.ToProblem(Refusal) : Problems.Of(Refusal!, Detail);
}
