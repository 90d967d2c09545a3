using System.Net;
using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Tributary.Core.Providers.Http;

/// <summary>
/// The pipeline every outbound provider call goes through (DESIGN §5): a per-provider concurrency limit, retries with
/// jitter on transient failures and 429 (honouring Retry-After), a circuit breaker, and a timeout per attempt.
/// </summary>
public static class ProviderResilience
{
    /// <summary>A Retry-After longer than this is not waited for: the provider counts as failed for this run.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    public static ResiliencePipeline<HttpResponseMessage> Build(ProviderDefinition definition, TimeProvider time) =>
        Build<HttpResponseMessage>(definition, time, IsTransient, RetryAfter);

    /// <summary>
    /// The same pipeline over any answer type: vendor providers classify the vendor's answer first (its status and body),
    /// so that what the vendor calls transient is retried and nothing else (DESIGN §5).
    /// </summary>
    /// <param name="withTimeout">
    /// False leaves out the timeout per attempt, for a caller that runs each attempt through <see cref="AttemptTimeout{T}"/>
    /// itself, after work that must not count against it (a vendor quota's wait).
    /// </param>
    public static ResiliencePipeline<T> Build<T>(ProviderDefinition definition, TimeProvider time, Func<T, bool> isTransientAnswer,
        Func<T?, TimeSpan?> retryAfter, bool withTimeout = true)
    {
        var transient = new PredicateBuilder<T>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(isTransientAnswer);
        var isTransient = transient.Build();
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = definition.MaxConcurrency,
                QueueLimit = 100_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        if (definition.Retries > 0)
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = definition.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                ShouldHandle = args => ValueTask.FromResult(
                    isTransient(args.Outcome) && !(retryAfter(args.Outcome.Result) > MaxRetryAfter)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(retryAfter(args.Outcome.Result)),
            });
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<T>
        {
            FailureRatio = 0.5,
            MinimumThroughput = definition.CircuitMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(definition.CircuitBreakSeconds),
            ShouldHandle = transient,
        });
        if (withTimeout) builder.AddTimeout(TimeSpan.FromMilliseconds(definition.Timeout));
        return builder.Build();
    }

    /// <summary>The timeout of one attempt alone, the innermost part of <see cref="Build{T}"/>.</summary>
    public static ResiliencePipeline<T> AttemptTimeout<T>(ProviderDefinition definition, TimeProvider time) =>
        new ResiliencePipelineBuilder<T> { TimeProvider = time }.AddTimeout(TimeSpan.FromMilliseconds(definition.Timeout)).Build();

    public static bool IsTransient(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;

    public static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date) return date - DateTimeOffset.UtcNow is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        return null;
    }
}
