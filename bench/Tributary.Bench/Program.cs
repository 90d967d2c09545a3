using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tributary.Bench;

// The benchmark harness of DESIGN §11. Quick mode (default, a few minutes) runs every target at reduced size and says
// so; --full runs the sizes DESIGN §11 names. Figures go to bench/RESULTS.md, one section per mode.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var full = args.Contains("--full");
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var postgres = Environment.GetEnvironmentVariable("TRIBUTARY_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("TRIBUTARY_TEST_POSTGRES");
var root = FindRoot();
// --server <dll> runs a server built elsewhere (a copy of an earlier build, to compare two builds in one machine state).
var givenServer = args.SkipWhile(a => a != "--server").Skip(1).FirstOrDefault();
var serverDll = givenServer is not null ? Path.GetFullPath(givenServer)
    : Path.Combine(root, "src", "Tributary.Server", "bin", "Release", "net10.0", "Tributary.Server.dll");
if (givenServer is null)
{
    Console.WriteLine("== building the server (Release)");
    var build = Process.Start(new ProcessStartInfo("dotnet", ["build", Path.Combine(root, "src", "Tributary.Server"), "-c", "Release", "--nologo", "-v", "q"]))!;
    await build.WaitForExitAsync();
    if (build.ExitCode != 0) return 1;
}

var sizes = new Sizes(full);
var scenarios = new Scenarios(serverDll, sizes, Console.WriteLine);
var databases = new List<string> { "Sqlite" };
if (postgres is not null) databases.Add("Postgres");
// --database Sqlite|Postgres: one database only (to look into a figure; RESULTS.md is written only by a whole run).
if (args.SkipWhile(a => a != "--database").Skip(1).FirstOrDefault() is { } onlyDatabase) databases.RemoveAll(d => d != onlyDatabase);
if (postgres is null)
    Console.WriteLine("PostgreSQL figures are skipped: set TRIBUTARY_BENCH_POSTGRES (or TRIBUTARY_TEST_POSTGRES) to a server where databases may be created");

var figures = new List<Figure>();
var started = Stopwatch.StartNew();
var runs = new (string Name, Func<BenchDatabase, Task<List<Figure>>> Run)[]
{
    ("cached", scenarios.CachedThroughputAsync),
    ("overhead", scenarios.OverheadAsync),
    ("job", scenarios.JobBoundAsync),
    ("waterfall", scenarios.WaterfallBoundAsync),
    ("emails", scenarios.CallsPerFoundEmailAsync),
    ("import", scenarios.ImportAndBigJobAsync),
};
foreach (var provider in databases)
foreach (var (name, run) in runs.Where(r => only is null || r.Name == only))
{
    Console.WriteLine($"== {name} on {provider}");
    await using var db = await BenchDatabase.CreateAsync(provider, postgres);
    try
    {
        figures.AddRange(await run(db));
    }
    catch (Exception e)
    {
        Console.WriteLine($"  failed: {e.Message}");
        figures.Add(new Figure(name, provider, "failed", "", 0, false, e.Message.ReplaceLineEndings(" ")));
    }
}
if (postgres is not null && databases.Contains("Postgres") && (only is null || only == "scaleout"))
{
    Console.WriteLine("== scale-out on Postgres");
    try
    {
        figures.AddRange(await scenarios.ScaleOutAsync(postgres));
    }
    catch (Exception e)
    {
        Console.WriteLine($"  failed: {e.Message}");
        figures.Add(new Figure("scale-out", "Postgres", "failed", "", 0, false, e.Message.ReplaceLineEndings(" ")));
    }
}

var section = ResultsFile.Section(full, sizes, figures, started.Elapsed, postgres is not null);
Console.WriteLine(section);
if (only is null && !args.Contains("--database") && givenServer is null) ResultsFile.Write(Path.Combine(root, "bench", "RESULTS.md"), full, section);
return 0;

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tributary.slnx"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

static class ResultsFile
{
    public static string Section(bool full, Sizes sizes, List<Figure> figures, TimeSpan took, bool withPostgres)
    {
        var sb = new StringBuilder();
        sb.AppendLine(full ? "## Full mode" : "## Quick mode");
        sb.AppendLine();
        sb.AppendLine($"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {Environment.ProcessorCount} cores, " +
                      $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 / 1024} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        sb.AppendLine($"- command: `dotnet run -c Release --project bench/Tributary.Bench{(full ? " -- --full" : "")}`; took {took.TotalMinutes:0.0} min");
        if (!full)
            sb.AppendLine($"- **reduced sizes** (quick mode): {sizes.JobRecords} job records, {sizes.ImportRows:N0} imported rows, a {sizes.ImportJobRows:N0}-row job, " +
                          $"{sizes.ScaleOutRecords} scale-out records, {sizes.Round.TotalSeconds:0} s rounds; the targets are judged on the full mode");
        sb.AppendLine($"- every figure is measured on a warm server: after warm-up rounds of the same load (for jobs, {Scenarios.WarmUpRecords:N0}-record jobs; not counted) repeated until the server's JIT spends under 2% of a round compiling");
        if (!withPostgres) sb.AppendLine("- PostgreSQL: not measured in this run (no server given)");
        sb.AppendLine();
        sb.AppendLine("| target | database | measured | target | ratio to target | met |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var f in figures)
            sb.AppendLine($"| {f.Target} | {f.Database} | {f.Measured} | {f.Goal} | {f.Ratio:0.00} | {(f.Met ? "yes" : "**no**")} |");
        sb.AppendLine();
        sb.AppendLine("Raw figures:");
        sb.AppendLine();
        foreach (var f in figures.Where(f => f.Detail.Length > 0)) sb.AppendLine($"- {f.Target} ({f.Database}): {f.Detail}");
        return sb.ToString();
    }

    /// <summary>Replaces this mode's section of RESULTS.md and keeps the other mode's.</summary>
    public static void Write(string path, bool full, string section)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var sections = new Dictionary<string, string>();
        foreach (var part in text.Split("\n## ").Skip(1))
        {
            var title = part[..part.IndexOf('\n')].Trim();
            sections[title] = "## " + part.TrimEnd() + "\n";
        }
        sections[full ? "Full mode" : "Quick mode"] = section;
        var head = "# Benchmark results\n\nWritten by `bench/Tributary.Bench` (DESIGN §11). Ratios are measured within one run on the same machine; " +
                   "\"ratio to target\" above 1 means the target is met with room to spare. Each mode keeps its latest run.\n\n" +
                   "Where a target is missed, the notes below the tables say by how much and why.\n\n";
        File.WriteAllText(path, head + string.Join("\n", new[] { "Quick mode", "Full mode", "Notes" }.Where(sections.ContainsKey).Select(k => sections[k])));
    }
}
