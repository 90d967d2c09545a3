using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tributary.Core.Contacts;

namespace Tributary.Tests.Infrastructure;

/// <summary>How one fake provider behaves.</summary>
public sealed class FakeProviderSpec
{
    public required string[] Channels { get; init; }
    public List<Dictionary<string, object?>> People { get; init; } = [];
    public double Confidence { get; init; } = 0.9;
    public int LatencyMs { get; set; }
    /// <summary>Every call answers this status (e.g. 500) instead of data.</summary>
    public int? FailWith { get; set; }
    /// <summary>The first N calls answer 429 with Retry-After: <see cref="RetryAfterSeconds"/>.</summary>
    public int TooManyRequestsFirst { get; set; }
    public int RetryAfterSeconds { get; init; } = 1;
    /// <summary>Inputs that must be in the query for the provider to answer (beyond what Tributary checks).</summary>
    public string[] Requires { get; init; } = [];
    /// <summary>Awaited before the answer is sent, with the query: lets a test hold a run in flight until it says so.</summary>
    public Func<JsonObject, Task>? BeforeAnswer { get; set; }
}

public sealed record FakeCall(string Provider, JsonObject Query, string[] Channels, DateTime At, long? ContentLength = null);

/// <summary>
/// Providers speaking the Tributary provider protocol (DESIGN §5.3) on a real loopback port, one path per provider,
/// matching people on email, LinkedIn, handles or first+last+domain, and recording every call.
/// </summary>
public sealed class FakeProviders : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeCall> _calls = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _maxInFlight = new();

    public FakeProviders(Dictionary<string, FakeProviderSpec> specs)
    {
        Specs = specs;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/p/{name}/lookup", Lookup);
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.Urls.First();
    }

    public Dictionary<string, FakeProviderSpec> Specs { get; }
    public string BaseUrl { get; }
    public IReadOnlyList<FakeCall> Calls => _calls.ToList();

    public string Url(string name) => $"{BaseUrl}/p/{name}/lookup";

    public int Count(string name) => _calls.Count(c => c.Provider == name);

    /// <summary>The most calls one provider had in flight at once.</summary>
    public int MaxInFlight(string name) => _maxInFlight.GetValueOrDefault(name);

    public int CountFor(string name, Func<JsonObject, bool> query) => _calls.Count(c => c.Provider == name && query(c.Query));

    /// <summary>Configuration keys that define these providers as http providers of Tributary.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, object>? extra = null)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (name, spec) in Specs)
        {
            var prefix = $"Tributary:Providers:{name}:";
            settings[prefix + "Type"] = "http";
            settings[prefix + "Url"] = Url(name);
            settings[prefix + "TimeoutMs"] = "1500";
            for (var i = 0; i < spec.Channels.Length; i++) settings[$"{prefix}Channels:{i}"] = spec.Channels[i];
        }
        foreach (var (k, v) in extra ?? new Dictionary<string, object>()) settings[k] = v.ToString();
        return settings;
    }

    private async Task<IResult> Lookup(string name, HttpContext http)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        var query = body["query"]?.AsObject() ?? [];
        var channels = body["channels"]?.AsArray().Select(c => c!.GetValue<string>()).ToArray() ?? [];
        _calls.Enqueue(new FakeCall(name, (JsonObject)query.DeepClone(), channels, DateTime.UtcNow, http.Request.ContentLength));
        if (!Specs.TryGetValue(name, out var spec)) return Results.NotFound();
        var now = _inFlight.AddOrUpdate(name, 1, (_, n) => n + 1);
        _maxInFlight.AddOrUpdate(name, now, (_, max) => Math.Max(max, now));
        try
        {
            return await Answer(spec, query, channels, http);
        }
        finally
        {
            _inFlight.AddOrUpdate(name, 0, (_, n) => n - 1);
        }
    }

    private static async Task<IResult> Answer(FakeProviderSpec spec, JsonObject query, string[] channels, HttpContext http)
    {
        if (spec.LatencyMs > 0) await Task.Delay(spec.LatencyMs, http.RequestAborted);
        if (spec.BeforeAnswer is { } gate) await gate(query);
        if (spec.TooManyRequestsFirst > 0)
        {
            spec.TooManyRequestsFirst--;
            http.Response.Headers.RetryAfter = spec.RetryAfterSeconds.ToString();
            return Results.Json(new { error = "slow down" }, statusCode: 429);
        }
        if (spec.FailWith is { } status) return Results.Json(new { error = "simulated" }, statusCode: status);
        if (spec.Requires.Any(r => string.IsNullOrEmpty(query[r]?.ToString()))) return Results.Json(new { fields = new { } });
        var person = spec.People.FirstOrDefault(p => Matches(p, query));
        if (person is null) return Results.Json(new { fields = new { } });
        if (person.TryGetValue("_latency_ms", out var slow) && slow is int ms) await Task.Delay(ms, http.RequestAborted);
        var fields = new JsonObject();
        foreach (var channel in channels)
        {
            if (!spec.Channels.Contains(channel) || !person.TryGetValue(channel, out var value) || value is null) continue;
            var confidence = person.TryGetValue("_confidence", out var c) && c is double d ? d : spec.Confidence;
            fields[channel] = new JsonObject { ["value"] = JsonSerializer.SerializeToNode(value), ["confidence"] = confidence };
        }
        return Results.Json(new { fields });
    }

    private static bool Matches(Dictionary<string, object?> person, JsonObject q)
    {
        string? P(string k) => person.TryGetValue(k, out var v) ? v?.ToString() : null;
        string? Q(string k) => q[k]?.GetValueKind() == JsonValueKind.String ? q[k]!.GetValue<string>() : null;
        if (Q("email") is { } e && Identity.EmailKey(e) == Identity.EmailKey(P("work_email") ?? P("email"))) return true;
        if (Q("linkedin_url") is { } l && Identity.LinkedinKey(l) == Identity.LinkedinKey(P("linkedin_url"))) return true;
        if (Q("x_handle") is { } x && Identity.XKey(x) == Identity.XKey(P("x_handle"))) return true;
        if (Q("github_username") is { } g && Identity.GithubKey(g) == Identity.GithubKey(P("github_username"))) return true;
        if (Q("domain") is { } d && P("_company") is not null) return Identity.Domain(d) == Identity.Domain(P("domain"));
        var name = Identity.NameKey(Q("first_name"), Q("last_name"), Q("company_domain") ?? Q("domain"));
        return name is not null && name == Identity.NameKey(P("first_name"), P("last_name"), P("company_domain"));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
