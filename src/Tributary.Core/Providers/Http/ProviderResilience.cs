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

    public static ResiliencePipeline<HttpResponseMessage> Build(ProviderDefinition definition, TimeProvider time)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(IsTransient);
        var isTransient = transient.Build();
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = definition.MaxConcurrency,
                QueueLimit = 100_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        if (definition.Retries > 0)
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = definition.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                ShouldHandle = args => ValueTask.FromResult(
                    isTransient(args.Outcome) && !(RetryAfter(args.Outcome.Result) > MaxRetryAfter)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result)),
            });
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = definition.CircuitMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(definition.CircuitBreakSeconds),
                ShouldHandle = transient,
            })
            .AddTimeout(TimeSpan.FromMilliseconds(definition.TimeoutMs))
            .Build();
    }

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
