using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tributary.Cli.Api;

namespace Tributary.Cli.Output;

/// <summary>
/// Shows a job's progress on the error writer while it is watched: a live progress bar when that writer is an
/// interactive terminal, otherwise plain lines (when something changed, at most every few seconds, and at the end),
/// so that logs and tests stay readable and standard output stays clean.
/// </summary>
internal static class JobProgressDisplay
{
    private static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(3);

    /// <summary>Runs <paramref name="watch"/>, which reports every job state it sees through the callback it is given.</summary>
    public static Task<T> RunAsync<T>(CliContext context, Func<Action<EnrichmentJob>, Task<T>> watch)
    {
        var console = context.ErrorIsInteractiveConsole ? CreateInteractiveConsole() : null;
        return console is null ? RunWithLinesAsync(context.Error, watch) : RunWithBarAsync(console, watch);
    }

    public static string Describe(EnrichmentJob job)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"job {job.Id}: {job.Status} {job.Processed}/{job.Total} ({job.Progress:0.#}%), found {job.Found}");
        if (job.RatePerSecond is { } rate && !EnrichmentJobStatus.IsFinal(job.Status))
        {
            line += string.Create(CultureInfo.InvariantCulture, $", {rate:0.##}/s");
        }

        if (job.EtaSeconds is { } eta && !EnrichmentJobStatus.IsFinal(job.Status))
        {
            line += $", eta {FormatDuration(TimeSpan.FromSeconds(eta))}";
        }

        return line;
    }

    private static IAnsiConsole? CreateInteractiveConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
        return console.Profile.Capabilities is { Interactive: true, Ansi: true } ? console : null;
    }

    private static Task<T> RunWithBarAsync<T>(IAnsiConsole console, Func<Action<EnrichmentJob>, Task<T>> watch) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("submitted", autoStart: true, maxValue: 1);
                return await watch(job => ShowOnBar(task, job));
            });

    private static void ShowOnBar(ProgressTask task, EnrichmentJob job)
    {
        task.Description = Markup.Escape(
            string.Create(CultureInfo.InvariantCulture, $"{job.Status} · {job.Processed}/{job.Total} · found {job.Found}"));
        task.MaxValue = Math.Max(job.Total, 1);
        task.Value = EnrichmentJobStatus.IsFinal(job.Status) ? task.MaxValue : job.Processed;
        if (EnrichmentJobStatus.IsFinal(job.Status))
        {
            task.StopTask();
        }
    }

    private static Task<T> RunWithLinesAsync<T>(TextWriter error, Func<Action<EnrichmentJob>, Task<T>> watch)
    {
        string? lastLine = null;
        var sinceLastLine = Stopwatch.StartNew();
        string? lastStatus = null;
        return watch(job =>
        {
            var line = Describe(job);
            var statusChanged = job.Status != lastStatus;
            lastStatus = job.Status;
            if (line == lastLine || (!statusChanged && sinceLastLine.Elapsed < PlainLineInterval))
            {
                return;
            }

            error.WriteLine(line);
            lastLine = line;
            sinceLastLine.Restart();
        });
    }

    private static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:00}m")
            : duration.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}m{duration.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(duration.TotalSeconds):0}s");
}
