using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Enrichment;

/// <summary>What <c>GET /v1/enrichments/{id}/trace</c> shows: the request, each provider asked in order and why others were skipped.</summary>
public sealed record TraceDocument(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("surface")] string Surface,
    [property: JsonPropertyName("channels_requested")] IReadOnlyList<string> ChannelsRequested,
    [property: JsonPropertyName("inputs")] IReadOnlyList<string> Inputs,
    [property: JsonPropertyName("force")] bool Force,
    [property: JsonPropertyName("steps")] IReadOnlyList<TraceStep> Steps,
    [property: JsonPropertyName("found")] IReadOnlyDictionary<string, string> Found,
    [property: JsonPropertyName("not_found")] IReadOnlyList<string> NotFound,
    [property: JsonPropertyName("provider_calls")] int ProviderCalls,
    [property: JsonPropertyName("timed_out")] bool TimedOut,
    [property: JsonPropertyName("credits_charged")] long CreditsCharged)
{
    public static string Serialize(Guid id, EnrichmentRequest request, WaterfallOutcome run, long charged) =>
        JsonSerializer.Serialize(new TraceDocument(
            id, request.Surface, request.Channels, request.Known.Keys.Order().ToList(), request.Force, run.Trace,
            run.Found.ToDictionary(f => f.Key, f => f.Value.FromCache ? $"cache ({f.Value.Source})" : f.Value.Source),
            request.Channels.Where(c => !run.Found.ContainsKey(c)).ToList(), run.ProviderCalls, run.TimedOut, charged),
            Common.CoreJson.Default.TraceDocument);
}
