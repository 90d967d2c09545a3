using System.Net.Http;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Tributary.Core.Providers.Http;

/// <summary>How an exception out of a provider's resilience pipeline reads in the trace; every one of them is transient.</summary>
public static class ProviderFailures
{
    public const string ClosedBeforeAnswer = "the connection closed before an answer";

    /// <summary>The failure an infrastructure exception stands for, or null when it is not one (a bug, or the caller's cancellation).</summary>
    public static ProviderResult.Failed? FromException(Exception e, int timeoutMs, CancellationToken ct) => e switch
    {
        BrokenCircuitException => new ProviderResult.Failed("circuit open", Transient: true),
        TimeoutRejectedException => new ProviderResult.Failed($"timed out after {timeoutMs} ms", Transient: true),
        RateLimiterRejectedException => new ProviderResult.Failed("too many calls queued", Transient: true),
        HttpRequestException h when ClosedEarly(h) => new ProviderResult.Failed(ClosedBeforeAnswer, Transient: true),
        HttpRequestException h => new ProviderResult.Failed("unreachable: " + h.HttpRequestError, Transient: true),
        OperationCanceledException when !ct.IsCancellationRequested => new ProviderResult.Failed("timed out", Transient: true),
        _ => null,
    };

    /// <summary>The server took the request and hung up without a (complete) status line: not "unreachable".</summary>
    private static bool ClosedEarly(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.ResponseEnded
        || (e.HttpRequestError == HttpRequestError.Unknown && e.InnerException is IOException);
}
