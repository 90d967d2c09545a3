using System.Diagnostics.CodeAnalysis;

namespace Tributary.Cli.Api;

/// <summary>The outcome of one API call: the response value, or a one-line description of what went wrong.</summary>
internal sealed class ApiResult<T>
{
    private ApiResult(T? value, string? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public string? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static ApiResult<T> Success(T value) => new(value, null);

    public static ApiResult<T> Failed(string failure) => new(default, failure);
}

/// <summary>The value of a call whose success carries no body (204).</summary>
internal readonly record struct NoContent;
