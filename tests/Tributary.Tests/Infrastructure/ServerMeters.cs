using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Tributary.Tests.Infrastructure;

/// <summary>
/// Reads one test server's own instruments. Every server in the test process shares one OpenTelemetry listener, so
/// <c>/metrics</c> may show another server's instrument of the same name; the meter factory tells them apart.
/// </summary>
public static class ServerMeters
{
    /// <summary>The sum of every measurement (made while <paramref name="during"/> runs) <paramref name="instrument"/> reports with these tags, observable ones observed once.</summary>
    public static async Task<double> SumAsync(IServiceProvider services, string instrument, Func<IReadOnlyDictionary<string, object?>, bool> tags,
        Func<Task>? during = null)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        double total = 0;
        var gate = new object();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Name == instrument && ReferenceEquals(i.Meter.Scope, factory)) l.EnableMeasurementEvents(i);
        };
        void Add(double value, ReadOnlySpan<KeyValuePair<string, object?>> t)
        {
            var map = new Dictionary<string, object?>();
            foreach (var kv in t) map[kv.Key] = kv.Value;
            if (tags(map)) lock (gate) total += value;
        }
        listener.SetMeasurementEventCallback<double>((_, v, t, _) => Add(v, t));
        listener.SetMeasurementEventCallback<long>((_, v, t, _) => Add(v, t));
        listener.SetMeasurementEventCallback<int>((_, v, t, _) => Add(v, t));
        listener.Start();
        if (during is not null) await during();
        listener.RecordObservableInstruments();
        return total;
    }

    /// <summary>
    /// Per instrument and provider, the sum of what <paramref name="instruments"/> report while <paramref name="during"/>
    /// runs (the <c>provider</c> tag of each measurement).
    /// </summary>
    public static async Task<Dictionary<(string Instrument, string Provider), double>> SumByProviderAsync(IServiceProvider services,
        IReadOnlyCollection<string> instruments, Func<Task> during)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        var sums = new Dictionary<(string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (instruments.Contains(i.Name) && ReferenceEquals(i.Meter.Scope, factory)) l.EnableMeasurementEvents(i);
        };
        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var kv in tags)
                if (kv.Key == "provider" && kv.Value is string provider)
                    lock (sums) sums[(instrument.Name, provider)] = sums.GetValueOrDefault((instrument.Name, provider)) + value;
        }
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        listener.Start();
        await during();
        lock (sums) return new(sums);
    }
}
