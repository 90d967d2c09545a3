using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tributary.Server.Observability;

/// <summary>The server's own instruments (DESIGN §10), exported on <c>/metrics</c>.</summary>
public sealed class TributaryMetrics
{
    public const string MeterName = "Tributary";
    private static readonly long StartedAt = Stopwatch.GetTimestamp();
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestSeconds;

    public TributaryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("tributary.http.requests", description: "HTTP requests served");
        _requestSeconds = meter.CreateHistogram("tributary.http.request.duration", unit: "s",
            description: "Time to serve an HTTP request",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Tributary.Core.Waterfall.WaterfallMetrics.SecondsBuckets });
        // Always has a value, so a scrape shows the meter even before the first request.
        meter.CreateObservableGauge("tributary.uptime", () => Stopwatch.GetElapsedTime(StartedAt).TotalSeconds, unit: "s",
            description: "Seconds since the process started");
    }

    public void RequestServed(string route, int status, TimeSpan elapsed)
    {
        var tags = new TagList { { "route", route }, { "status", status } };
        _requests.Add(1, tags);
        _requestSeconds.Record(elapsed.TotalSeconds, tags);
    }
}

public sealed class RequestMetricsMiddleware(RequestDelegate next, TributaryMetrics metrics)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RequestServed(route, http.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}
