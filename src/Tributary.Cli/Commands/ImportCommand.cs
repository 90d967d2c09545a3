using System.CommandLine;
using System.Globalization;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

internal static class ImportCommand
{
    private const string CsvMediaType = "text/csv";
    private const string JsonLinesMediaType = "application/x-ndjson";

    public static Command Create(CommandRunner runner)
    {
        var file = new Argument<FileInfo>("file")
        {
            Description = "CSV file, or JSON Lines when it ends in .jsonl or .ndjson",
        }.AcceptExistingOnly();
        var workspaceId = WorkspaceIdOption.CreateOptional(
            "Workspace id; accepted for clarity only, the API key decides the workspace");

        var map = ColumnMappingOption.Create("Which column holds a contact field, as field=Column pairs, e.g. email=Work Email", ContactFields);
        var command = new Command(
            "import",
            "Import contacts from a file, upserting on email, LinkedIn URL, handles or name and company domain")
        {
            file,
            workspaceId,
            map,
        };
        command.ValidateAgainstHeader(file, map);
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunWithApiKeyAsync(parseResult, async client =>
            {
                var source = parseResult.GetRequiredValue(file);
                var result = await client.ImportContactsAsync(source, MediaTypeOf(source), parseResult.GetValue(map) ?? [], cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                var summary = result.Value;
                var output = runner.Context.Out;
                output.WriteField("created", summary.Created);
                output.WriteField("updated", summary.Updated);
                output.WriteField("skipped", summary.Skipped);
                var rowErrors = summary.Errors ?? [];
                output.WriteField("errors", rowErrors.Count);
                foreach (var rowError in rowErrors)
                {
                    output.WriteField(
                        $"row {rowError.RowNumber.ToString(CultureInfo.InvariantCulture)}",
                        $"{rowError.Code}: {rowError.Message}");
                }

                return ExitCodes.Success;
            }));
        return command;
    }

    /// <summary>The contact fields an import can fill (the server's contact fields and tags).</summary>
    private static readonly IReadOnlyList<string> ContactFields =
    [
        "first_name", "last_name", "full_name", "email", "personal_email", "phone", "job_title", "seniority",
        "company_name", "company_domain", "linkedin_url", "x_handle", "github_username", "location", "tags",
    ];

    private static string MediaTypeOf(FileInfo file) =>
        file.Extension.ToLowerInvariant() is ".jsonl" or ".ndjson" ? JsonLinesMediaType : CsvMediaType;
}
