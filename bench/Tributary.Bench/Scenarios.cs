using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Tributary.Bench;

/// <summary>One measured figure against its target (DESIGN §11).</summary>
public sealed record Figure(string Target, string Database, string Measured, string Goal, double Ratio, bool Met, string Detail);

/// <summary>The sizes of a run: quick (reduced, the README command) or full (the sizes DESIGN §11 names).</summary>
public sealed record Sizes(bool Full)
{
    public TimeSpan Round => Full ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(3);
    public TimeSpan OverheadRun => Full ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(8);
    public int JobRecords => Full ? 10_000 : 2_000;
    public int WaterfallRecords => Full ? 10_000 : 2_000;
    public int EmailRecords => Full ? 10_000 : 3_000;
    public int ImportRows => Full ? 1_000_000 : 50_000;
    public int ImportJobRows => Full ? 1_000_000 : 5_000;
    public int ScaleOutRecords => Full ? 5_000 : 1_000;
}

/// <summary>A database for one scenario: a fresh SQLite file, or a fresh PostgreSQL database on the given server.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _pgServer;
    private readonly string? _pgName;

    private BenchDatabase(string provider, string connectionString, string? pgServer, string? pgName)
    {
        (Provider, ConnectionString, _pgServer, _pgName) = (provider, connectionString, pgServer, pgName);
    }

    public string Provider { get; }
    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string provider, string? postgres)
    {
        if (provider == "Sqlite")
            return new BenchDatabase(provider, $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("tributary-bench-db-").FullName, "bench.db")}", null, null);
        var name = "tributary_bench_" + Guid.NewGuid().ToString("N")[..10];
        await using (var conn = new NpgsqlConnection(postgres))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(postgres) { Database = name, MaxPoolSize = 100 }.ToString();
        return new BenchDatabase(provider, cs, postgres, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgName is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_pgServer);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgName} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

public sealed class Scenarios(string serverDll, Sizes sizes, Action<string> log)
{
    private static object Config(BenchDatabase db, SimulatedProviders providers, Dictionary<string, string[]> waterfall, int maxConcurrency = 64,
        int workers = 64) => new
    {
        AdminToken = ServerUnderTest.AdminToken,
        Database = new { db.Provider, db.ConnectionString },
        Providers = providers.Configuration(maxConcurrency),
        Waterfall = waterfall,
        Verification = new { CheckMx = false },
        RateLimits = new { SinglePerMinute = 100_000_000, BulkPerMinute = 100_000_000, PerDay = 1_000_000_000 },
        Jobs = new { Workers = workers, PollIntervalMs = 50 },
        Limits = new { MaxJsonBytes = 256L * 1024 * 1024 },
    };

    private static string Linkedin(string run, int i) => $"https://www.linkedin.com/in/{run}-{i}";

    /// <summary>Cached POST /enrichment against GET /v1/credits against GET /healthz: three alternating rounds, medians.</summary>
    public async Task<List<Figure>> CachedThroughputAsync(BenchDatabase db)
    {
        await using var providers = new SimulatedProviders([new("fast", ["work_email"], 0, 1.0)]);
        await using var server = await ServerUnderTest.StartAsync(serverDll, Config(db, providers, new() { ["work_email"] = ["fast"] }));
        using var client = await server.WorkspaceAsync(1_000_000);
        var body = JsonSerializer.Serialize(new { linkedin_url = Linkedin("cached", 1), channels = new[] { "work_email" } });
        (await client.PostAsync("/enrichment", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        using var anonymous = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(server.Url) };
        var calls = new Dictionary<string, Func<Task<bool>>>
        {
            ["healthz"] = async () => (await anonymous.GetAsync("/healthz")).IsSuccessStatusCode,
            ["credits"] = async () => (await client.GetAsync("/v1/credits")).IsSuccessStatusCode,
            ["cached"] = async () => (await client.PostAsync("/enrichment", new StringContent(body, Encoding.UTF8, "application/json"))).IsSuccessStatusCode,
        };
        var jit = await server.WarmUntilJitSettlesAsync(async () =>
        {
            foreach (var call in calls.Values) await Load.ThroughputAsync(call, 16, TimeSpan.FromSeconds(2));
        });
        log($"  warmed up: {jit:0.0} s of JIT");
        var rounds = calls.Keys.ToDictionary(k => k, _ => new List<double>());
        for (var round = 0; round < 3; round++)
            foreach (var (name, call) in calls)
            {
                var (rps, errors) = await Load.ThroughputAsync(call, 32, sizes.Round);
                if (errors > 0) log($"  {name}: {errors} errors in round {round + 1}");
                rounds[name].Add(rps);
            }
        double Median(string name) => rounds[name].Order().ElementAt(1);
        var (health, credits, cached) = (Median("healthz"), Median("credits"), Median("cached"));
        var raw = $"rounds (req/s): healthz {string.Join(", ", rounds["healthz"].Select(r => r.ToString("0")))}; credits {string.Join(", ", rounds["credits"].Select(r => r.ToString("0")))}; cached {string.Join(", ", rounds["cached"].Select(r => r.ToString("0")))}";
        log($"  {raw}");
        return
        [
            new("cached POST /enrichment ÷ GET /v1/credits", db.Provider, $"{cached:0} ÷ {credits:0} req/s", "≥ 0.50", cached / credits, cached / credits >= 0.5, raw),
            new("GET /v1/credits ÷ GET /healthz", db.Provider, $"{credits:0} ÷ {health:0} req/s", "≥ 0.40", credits / health, credits / health >= 0.4, ""),
        ];
    }

    /// <summary>Request latency minus the provider time in its trace, at a constant 200 requests/s through one 50 ms provider.</summary>
    public async Task<List<Figure>> OverheadAsync(BenchDatabase db)
    {
        await using var providers = new SimulatedProviders([new("p50", ["phone"], 50, 1.0)]);
        await using var server = await ServerUnderTest.StartAsync(serverDll, Config(db, providers, new() { ["phone"] = ["p50"] }));
        using var client = await server.WorkspaceAsync(100_000_000);
        var next = 0;
        async Task<string?> EnrichNewRecordAsync()
        {
            var i = Interlocked.Increment(ref next);
            var body = JsonSerializer.Serialize(new { linkedin_url = Linkedin("overhead", i), channels = new[] { "phone" } });
            using var response = await client.PostAsync("/enrichment", new StringContent(body, Encoding.UTF8, "application/json"));
            return response.IsSuccessStatusCode ? response.Headers.GetValues("X-Enrichment-Id").Single() : null;
        }
        var jit = await server.WarmUntilJitSettlesAsync(() => Load.ConstantRateAsync(EnrichNewRecordAsync, 200, TimeSpan.FromSeconds(3)));
        log($"  warmed up: {jit:0.0} s of JIT");
        providers.Reset();
        var jitBefore = await server.JitSecondsAsync();
        var results = await Load.ConstantRateAsync(EnrichNewRecordAsync, 200, sizes.OverheadRun);
        var jitDuring = await server.JitSecondsAsync() - jitBefore;
        var overheads = new List<double>();
        foreach (var (latency, id) in results.Where(r => r.Result is not null).Skip(results.Count / 10)) // the first tenth warms up
        {
            var trace = await client.GetFromJsonAsync<JsonElement>($"/v1/enrichments/{id}/trace");
            var providerMs = trace.GetProperty("data").GetProperty("steps").EnumerateArray()
                .Where(s => s.GetProperty("outcome").GetString() is "found" or "no_match" or "failed" or "rejected")
                .Sum(s => s.GetProperty("latency_ms").GetDouble());
            overheads.Add(latency - providerMs);
        }
        var h = Histogram.Of(overheads);
        var failed = results.Count(r => r.Result is null);
        var detail = $"{results.Count} requests, {failed} failed; overhead {h}; provider {Histogram.Of(providers.LatenciesMs)}; " +
                     $"JIT {jit:0.0} s while warming, {jitDuring:0.0} s during the run";
        log($"  {detail}");
        return
        [
            new("orchestration overhead p50 at 200 req/s", db.Provider, $"{h.P50:0.00} ms", "< 2 ms", 2 / Math.Max(h.P50, 0.001), h.P50 < 2, detail),
            new("orchestration overhead p99 at 200 req/s", db.Provider, $"{h.P99:0.00} ms", "< 10 ms", 10 / Math.Max(h.P99, 0.001), h.P99 < 10, ""),
        ];
    }

    /// <summary>A job of records new to the cache, from its 202 to its finished_at; records per second.</summary>
    private async Task<(double PerSecond, JsonElement Job)> RunJobAsync(HttpClient client, string run, int records, string channel)
    {
        var body = new { records = Enumerable.Range(0, records).Select(i => new { linkedin_url = Linkedin(run, i) }).ToArray(), channels = new[] { channel } };
        var response = await client.PostAsJsonAsync("/v1/jobs", body);
        var accepted = DateTime.UtcNow;
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("id").GetString();
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}")).GetProperty("data");
            var status = job.GetProperty("status").GetString();
            if (status is "succeeded" or "failed" or "cancelled")
            {
                var finished = job.GetProperty("finished_at").GetDateTime().ToUniversalTime();
                return (records / Math.Max((finished - accepted).TotalSeconds, 0.001), job);
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Jobs of other records first, until the JIT settles, so that the measured one runs on a warm server (its code compiled by the JIT's
    /// higher tiers, its pools filled), as a server in use is. Its provider calls are not counted.
    /// </summary>
    private async Task WarmUpAsync(ServerUnderTest server, HttpClient client, SimulatedProviders providers, string channel)
    {
        var round = 0;
        var jit = await server.WarmUntilJitSettlesAsync(() => RunJobAsync(client, $"warm-up-{round++}", WarmUpRecords, channel), rounds: 10);
        log($"  warmed up: {round} jobs, {jit:0.0} s of JIT");
        providers.Reset();
    }

    public const int WarmUpRecords = 1000;

    public async Task<List<Figure>> JobBoundAsync(BenchDatabase db)
    {
        await using var providers = new SimulatedProviders([new("p50", ["phone"], 50, 1.0)]);
        await using var server = await ServerUnderTest.StartAsync(serverDll, Config(db, providers, new() { ["phone"] = ["p50"] }));
        using var client = await server.WorkspaceAsync(100_000_000);
        await WarmUpAsync(server, client, providers, "phone");
        var (rate, job) = await RunJobAsync(client, "job", sizes.JobRecords, "phone");
        var detail = $"{sizes.JobRecords} records, {job.GetProperty("found").GetInt32()} found; provider {Histogram.Of(providers.LatenciesMs)}";
        log($"  job: {rate:0} records/s; {detail}");
        return [new($"job of {sizes.JobRecords} records, one 50 ms provider, 64 workers", db.Provider, $"{rate:0} records/s", "≥ 85% of 1,280/s",
            rate / 1280, rate >= 0.85 * 1280, detail)];
    }

    public async Task<List<Figure>> WaterfallBoundAsync(BenchDatabase db)
    {
        await using var providers = new SimulatedProviders([new("w1", ["work_email"], 50, 0.5), new("w2", ["work_email"], 50, 0.5), new("w3", ["work_email"], 50, 0.5)]);
        await using var server = await ServerUnderTest.StartAsync(serverDll, Config(db, providers, new() { ["work_email"] = ["w1", "w2", "w3"] }));
        using var client = await server.WorkspaceAsync(100_000_000);
        await WarmUpAsync(server, client, providers, "work_email");
        var (rate, job) = await RunJobAsync(client, "waterfall", sizes.WaterfallRecords, "work_email");
        var detail = $"{sizes.WaterfallRecords} records, {job.GetProperty("found").GetInt32()} found, {providers.TotalCalls} provider calls";
        log($"  waterfall: {rate:0} records/s; {detail}");
        return [new("three-provider waterfall (50 ms, 50% each)", db.Provider, $"{rate:0} records/s", "≥ 85% of 731/s", rate / 731, rate >= 0.85 * 731, detail)];
    }

    public async Task<List<Figure>> CallsPerFoundEmailAsync(BenchDatabase db)
    {
        await using var providers = new SimulatedProviders([new("h7", ["work_email"], 0, 0.7), new("h5", ["work_email"], 0, 0.5), new("h3", ["work_email"], 0, 0.3)]);
        await using var server = await ServerUnderTest.StartAsync(serverDll, Config(db, providers, new() { ["work_email"] = ["h7", "h5", "h3"] }));
        using var client = await server.WorkspaceAsync(100_000_000);
        var (_, job) = await RunJobAsync(client, "emails", sizes.EmailRecords, "work_email");
        var found = job.GetProperty("found").GetInt32();
        var perFound = (double)providers.TotalCalls / found;
        var askAll = 3.0 * sizes.EmailRecords / found;
        var ratio = perFound / askAll;
        var detail = $"{sizes.EmailRecords} records, {found} found, {providers.TotalCalls} calls ({providers.Calls("h7")}/{providers.Calls("h5")}/{providers.Calls("h3")}); expected 0.483×";
        log($"  calls per found email: {perFound:0.000} vs ask-all {askAll:0.000} = {ratio:0.000}×; {detail}");
        return [new("provider calls per found email ÷ asking all", db.Provider, $"{ratio:0.000}×", "≤ 0.5× and within 5% of 0.483×",
            0.5 / ratio, ratio <= 0.5 && Math.Abs(ratio - 0.483) <= 0.483 * 0.05, detail)];
    }

    public async Task<List<Figure>> ImportAndBigJobAsync(BenchDatabase db)
    {
        await using var providers = new SimulatedProviders([new("instant", ["phone"], 0, 0.6)]);
        await using var server = await ServerUnderTest.StartAsync(serverDll, Config(db, providers, new() { ["phone"] = ["instant"] }));
        using var client = await server.WorkspaceAsync(100_000_000);
        var csv = Path.Combine(Path.GetTempPath(), $"tributary-bench-{sizes.ImportRows}.csv");
        if (!File.Exists(csv))
        {
            await using var writer = new StreamWriter(csv, false, new UTF8Encoding(false));
            await writer.WriteLineAsync("first_name,last_name,email,company_domain,job_title,linkedin_url");
            for (var i = 0; i < sizes.ImportRows; i++)
                await writer.WriteLineAsync($"First{i},Last{i},person{i}@import-{i % 997}.com,import-{i % 997}.com,Engineer {i % 13},{Linkedin("import", i)}");
        }
        var watch = Stopwatch.StartNew();
        await using (var file = File.OpenRead(csv))
        {
            var response = await client.PostAsync("/v1/contacts/import", new StreamContent(file) { Headers = { ContentType = new("text/csv") } });
            response.EnsureSuccessStatusCode();
        }
        var importRate = sizes.ImportRows / watch.Elapsed.TotalSeconds;
        log($"  import: {sizes.ImportRows} rows in {watch.Elapsed.TotalSeconds:0.0} s = {importRate:0} rows/s");

        server.ResetRss();
        var jobCsv = csv;
        if (sizes.ImportJobRows < sizes.ImportRows)
        {
            jobCsv = Path.Combine(Path.GetTempPath(), $"tributary-bench-job-{sizes.ImportJobRows}.csv");
            await File.WriteAllLinesAsync(jobCsv, File.ReadLines(csv).Take(sizes.ImportJobRows + 1));
        }
        string id;
        await using (var file = File.OpenRead(jobCsv))
        {
            var response = await client.PostAsync("/v1/jobs?channels=phone", new StreamContent(file) { Headers = { ContentType = new("text/csv") } });
            response.EnsureSuccessStatusCode();
            id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("id").GetString()!;
        }
        while ((await client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}")).GetProperty("data").GetProperty("status").GetString() is "queued" or "processing")
            await Task.Delay(1000);
        var peak = server.PeakRssBytes / 1024.0 / 1024.0;
        var samples = server.Rss;
        var curve = string.Join(" ", samples.Where((_, i) => i % Math.Max(1, samples.Count / 20) == 0).Select(s => $"{s.Seconds:0}s:{s.RssBytes / 1048576}MB"));
        log($"  job of {sizes.ImportJobRows} CSV rows: peak RSS {peak:0} MB; {curve}");
        return
        [
            new($"import of a {sizes.ImportRows:N0}-row, 6-column CSV", db.Provider, $"{importRate:0} rows/s", "≥ 20,000 rows/s", importRate / 20_000,
                importRate >= 20_000, "client-side time of the whole upload"),
            new($"job of {sizes.ImportJobRows:N0} CSV rows, peak RSS", db.Provider, $"{peak:0} MB", "< 300 MB", 300 / Math.Max(peak, 1), peak < 300,
                "RSS over time: " + curve),
        ];
    }

    /// <summary>Two processes on one PostgreSQL against one, provider 100 ms, 16 workers and 16 concurrent calls each.</summary>
    public async Task<List<Figure>> ScaleOutAsync(string postgres)
    {
        async Task<(double Rate, TimeSpan Cpu)> Run(int processes)
        {
            await using var db = await BenchDatabase.CreateAsync("Postgres", postgres);
            await using var providers = new SimulatedProviders([new("p100", ["phone"], 100, 1.0)]);
            var config = Config(db, providers, new() { ["phone"] = ["p100"] }, maxConcurrency: 16, workers: 16);
            var servers = new List<ServerUnderTest>();
            try
            {
                for (var i = 0; i < processes; i++) servers.Add(await ServerUnderTest.StartAsync(serverDll, config));
                var cpuBefore = servers.Select(s => s.CpuTime).ToList();
                using var client = await servers[0].WorkspaceAsync(100_000_000);
                var (rate, _) = await RunJobAsync(client, $"scale{processes}", sizes.ScaleOutRecords, "phone");
                var cpu = servers.Select((s, i) => s.CpuTime - cpuBefore[i]).Aggregate(TimeSpan.Zero, (a, b) => a + b);
                return (rate, cpu);
            }
            finally
            {
                foreach (var s in servers) await s.DisposeAsync();
            }
        }
        var one = await Run(1);
        var two = await Run(2);
        var speedup = two.Rate / one.Rate;
        var detail = $"one process {one.Rate:0} records/s (CPU {one.Cpu.TotalSeconds:0.0} s), two {two.Rate:0} records/s (CPU {two.Cpu.TotalSeconds:0.0} s); bound 160/s per process";
        log($"  scale-out: {detail}");
        return
        [
            new("two processes on one PostgreSQL ÷ one", "Postgres", $"{speedup:0.00}×", "≥ 1.7×", speedup / 1.7, speedup >= 1.7, detail),
            new("each of two processes ÷ its bound (160/s)", "Postgres", $"{two.Rate / 2:0} records/s", "≥ 85% of 160/s", two.Rate / 2 / 160,
                two.Rate / 2 >= 0.85 * 160, ""),
        ];
    }
}
