using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Tributary.Tests.Infrastructure;

/// <summary>
/// The server as an operator starts it: <c>dotnet Tributary.Server.dll</c> in a working directory of its own, configured
/// only through environment variables and a <c>TRIBUTARY_CONFIG</c> file.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string url, string workingDirectory)
    {
        _process = process;
        Url = url;
        WorkingDirectory = workingDirectory;
    }

    public string Url { get; }
    public string WorkingDirectory { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public int ProcessId => _process.Id;

    /// <summary>A line of <c>/proc/&lt;pid&gt;/status</c> in megabytes: VmRSS (resident now) or VmHWM (the peak so far).</summary>
    public long MemoryMb(string line) =>
        long.Parse(File.ReadAllLines($"/proc/{_process.Id}/status").Single(l => l.StartsWith(line + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;

    public static string ServerDll
    {
        get
        {
            // The test's own configuration (Debug/Release) names the server build beside it in the repository.
            var testBin = AppContext.BaseDirectory;
            var configuration = new DirectoryInfo(testBin).Parent!.Name;
            var root = new DirectoryInfo(testBin);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Tributary.slnx"))) root = root.Parent;
            var dll = Path.Combine(root!.FullName, "src", "Tributary.Server", "bin", configuration, "net10.0", "Tributary.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("server build not found", dll);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the server; with <paramref name="waitHealthy"/> waits for <c>/healthz</c> (or throws with its output).</summary>
    public static async Task<ServerProcess> StartAsync(string environment, IDictionary<string, string>? env = null,
        object? configFile = null, string? workingDirectory = null, bool waitHealthy = true, string[]? args = null)
    {
        var dir = workingDirectory ?? Directory.CreateTempSubdirectory("tributary-proc-").FullName;
        var url = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet", [ServerDll, .. args ?? []])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Tributary__", StringComparison.OrdinalIgnoreCase)
                                                            || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                                                            || k == "TRIBUTARY_CONFIG").ToList())
            info.Environment.Remove(key);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (configFile is not null)
        {
            var path = Path.Combine(dir, "tributary.config.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(configFile));
            info.Environment["TRIBUTARY_CONFIG"] = path;
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;

        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, env?.TryGetValue("ASPNETCORE_URLS", out var given) == true ? given : url, dir);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitHealthy) await server.WaitHealthyAsync();
        return server;
    }

    public async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"server exited with {_process.ExitCode}: {Output}");
            try
            {
                if ((await http.GetAsync(Url + "/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"server not healthy in time: {Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromMinutes(5) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return client;
    }

    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as systemd or a container runtime stops a service, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            await kill.WaitForExitAsync();
        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
