using System.CommandLine;
using System.CommandLine.Parsing;
using Tributary.Cli.Api;

namespace Tributary.Cli.Commands;

/// <summary>What one <c>tributary enrich</c> asks for, once the command line has been parsed and checked.</summary>
internal sealed record EnrichRequest(
    FileInfo Input,
    FileInfo Output,
    IReadOnlyList<string> Channels,
    IReadOnlyList<ColumnMapping> Map,
    bool Force);

internal static class EnrichCommand
{
    // Windows and macOS file systems usually ignore case, so Data.csv and data.csv are one file there.
    private static readonly StringComparison FilePathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static Command Create(CommandRunner runner)
    {
        var input = new Argument<FileInfo>("input")
        {
            Description = "CSV file to enrich; its header names the columns",
        }.AcceptExistingOnly();
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "Where to write the enriched CSV; <output>.job beside it lets a re-run resume the job",
            HelpName = "file",
            Required = true,
        };
        output.AcceptLegalFilePathsOnly();
        var channels = new Option<IReadOnlyList<string>>("--channels")
        {
            Description = "Comma-separated channels to find, e.g. work_email,phone",
            HelpName = "list",
            Required = true,
            CustomParser = ValueParsers.ParseCommaSeparated,
        };
        channels.Validators.Add(RequireAtLeastOneChannel);
        var map = ColumnMappingOption.Create("Which column holds an input, as field=Column pairs, e.g. email=Work Email,linkedin_url=Profile",
            InputFields);
        var force = new Option<bool>("--force")
        {
            Description = "Ask the providers again instead of using cached results",
        };

        var command = new Command(
            "enrich",
            "Enrich a CSV file through a server job: the output keeps the input columns and adds, per channel, "
            + "the value, source, confidence and verification")
        {
            input,
            output,
            channels,
            map,
            force,
        };
        command.Validators.Add(result => ValidateOutput(result, input, output));
        command.ValidateAgainstHeader(input, map);
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunWithApiKeyAsync(parseResult, client =>
            {
                var request = new EnrichRequest(
                    parseResult.GetRequiredValue(input),
                    parseResult.GetRequiredValue(output),
                    parseResult.GetRequiredValue(channels).Distinct(StringComparer.Ordinal).ToList(),
                    parseResult.GetValue(map) ?? [],
                    parseResult.GetValue(force));
                return new EnrichRun(runner.Context, client, request).RunAsync(cancellationToken);
            }));
        return command;
    }

    private static void RequireAtLeastOneChannel(OptionResult result)
    {
        if (result.GetValueOrDefault<IReadOnlyList<string>>() is not { Count: > 0 })
        {
            result.AddError("--channels must name at least one channel");
        }
    }

    /// <summary>The inputs a job's records may carry (the server's job input names).</summary>
    internal static readonly IReadOnlyList<string> InputFields =
    [
        "email", "linkedin_url", "first_name", "last_name", "full_name", "company_domain", "company_name", "domain",
        "x_handle", "github_username", "phone", "job_title", "location", "personal_email",
    ];

    // Checked before anything is submitted: a job whose results cannot be written would be paid for in vain.
    private static void ValidateOutput(CommandResult result, Argument<FileInfo> input, Option<FileInfo> output)
    {
        if (result.GetValue(output) is not { } file)
        {
            return;
        }

        if (Directory.Exists(file.FullName))
        {
            result.AddError($"--output '{file}' is a directory; name the CSV file to write");
        }
        else if (file.Directory is { Exists: false } directory)
        {
            result.AddError($"--output '{file}': the directory {directory.FullName} does not exist");
        }
        else if (result.GetValue(input) is { } source
                 && string.Equals(source.FullName, file.FullName, FilePathComparison))
        {
            result.AddError("--output must not be the input file");
        }
    }
}
