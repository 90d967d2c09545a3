using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Tributary.Bench;

/// <summary>
/// The server as an operator runs it: the Release build of Tributary.Server started as a process in a folder of its own,
/// configured only by a TRIBUTARY_CONFIG file, with its memory sampled every second.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    public const string AdminToken = "bench-admin-token-0123456789";
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly CancellationTokenSource _sampling = new();
    private readonly List<(double Seconds, long RssBytes)> _rss = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ServerUnderTest(Process process, string url)
    {
        _process = process;
        Url = url;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(30),
        };
        _ = SampleAsync();
    }

    public string Url { get; }
    public HttpClient Http { get; }
    public int ProcessId => _process.Id;
    public IReadOnlyList<(double Seconds, long RssBytes)> Rss { get { lock (_rss) return _rss.ToList(); } }
    public long PeakRssBytes { get { lock (_rss) return _rss.Count == 0 ? 0 : _rss.Max(r => r.RssBytes); } }
    public TimeSpan CpuTime { get { _process.Refresh(); return _process.TotalProcessorTime; } }

    public static async Task<ServerUnderTest> StartAsync(string serverDll, object tributaryConfig, IDictionary<string, string>? env = null)
    {
        var dir = Directory.CreateTempSubdirectory("tributary-bench-").FullName;
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var configPath = Path.Combine(dir, "bench.config.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new { Tributary = tributaryConfig }));
        var info = new ProcessStartInfo("dotnet", [serverDll])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Tributary__", StringComparison.OrdinalIgnoreCase)
                                                            || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["TRIBUTARY_CONFIG"] = configPath;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        // BENCH_SERVER_X=v sets X=v for the server only (e.g. runtime settings to profile it without the load generator).
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("BENCH_SERVER_", StringComparison.Ordinal)).ToList())
            info.Environment[key["BENCH_SERVER_".Length..]] = info.Environment[key];
        var process = new Process { StartInfo = info };
        var server = new ServerUnderTest(process, url);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"the server exited: {server._output}");
            try
            {
                if ((await server.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the server did not start: {server._output}");
    }

    /// <summary>A workspace with a key of every permission and <paramref name="credits"/>.</summary>
    /// <summary>Seconds the server's JIT has spent compiling since it started (the runtime's meter on /metrics).</summary>
    public async Task<double> JitSecondsAsync()
    {
        var metrics = await Http.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("dotnet_jit_compilation_time_seconds_total", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs <paramref name="round"/> until the JIT settles: a freshly started server spends most of its first 30 to 40 s
    /// under load recompiling hot methods at higher tiers (measured with perf: 60–90% of the server's CPU samples in
    /// libclrjit until then, under 3% after), so figures taken earlier measure the compiler. Settled = under 2% of a
    /// round's time in the JIT; at most <paramref name="rounds"/> rounds. Returns the JIT seconds spent while warming.
    /// </summary>
    public async Task<double> WarmUntilJitSettlesAsync(Func<Task> round, int rounds = 20)
    {
        var first = await JitSecondsAsync();
        var before = first;
        for (var i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            await round();
            var after = await JitSecondsAsync();
            if (after - before < 0.02 * clock.Elapsed.TotalSeconds) break;
            before = after;
        }
        return before - first;
    }

    public async Task<HttpClient> WorkspaceAsync(long credits)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(Url) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "bench" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys", new
        {
            name = "bench", permissions = new[] { "read:contacts", "write:contacts", "read:enrich", "write:enrich", "read:credits", "admin:workspace" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        if (credits > 0) (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = credits })).EnsureSuccessStatusCode();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private async Task SampleAsync()
    {
        while (!_sampling.IsCancellationRequested)
        {
            try
            {
                var status = await File.ReadAllLinesAsync($"/proc/{_process.Id}/status");
                var line = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
                    lock (_rss) _rss.Add((_clock.Elapsed.TotalSeconds, kb * 1024));
            }
            catch (Exception) when (!_sampling.IsCancellationRequested)
            {
                // not started yet, or gone
            }
            try { await Task.Delay(1000, _sampling.Token); } catch (OperationCanceledException) { }
        }
    }

    public void ResetRss()
    {
        lock (_rss) _rss.Clear();
        _clock.Restart();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        // TRIBUTARY_BENCH_ECHO=1 shows the server's own output while a scenario runs (to look into a figure).
        if (Environment.GetEnvironmentVariable("TRIBUTARY_BENCH_ECHO") is not null) Console.Error.WriteLine(line);
        lock (_output) { if (_output.Length < 200_000) _output.AppendLine(line); }
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
