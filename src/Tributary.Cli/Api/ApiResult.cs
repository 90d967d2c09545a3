using System.Diagnostics.CodeAnalysis;

namespace Tributary.Cli.Api;

/// <summary>The outcome of one API call: the response value, or a one-line description of what went wrong.</summary>
internal sealed class ApiResult<T>
{
    private ApiResult(T? value, string? failure, int? statusCode)
    {
        Value = value;
        Failure = failure;
        StatusCode = statusCode;
    }

    public T? Value { get; }

    public string? Failure { get; }

    /// <summary>The HTTP status of an unsuccessful answer; null on success or when no answer arrived.</summary>
    public int? StatusCode { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static ApiResult<T> Success(T value) => new(value, null, null);

    /// <summary>The request never left this machine (no connection could be made), so the server made nothing of it.</summary>
    public bool NeverSent { get; private init; }

    public static ApiResult<T> Failed(string failure, int? statusCode = null) => new(default, failure, statusCode);

    public static ApiResult<T> NotSent(string failure) => new(default, failure, null) { NeverSent = true };

    /// <summary>This failure as a result of another type.</summary>
    public ApiResult<TOther> As<TOther>() => NeverSent ? ApiResult<TOther>.NotSent(Failure!) : ApiResult<TOther>.Failed(Failure!, StatusCode);
}

/// <summary>The value of a call whose success carries no body (204).</summary>
internal readonly record struct NoContent;
