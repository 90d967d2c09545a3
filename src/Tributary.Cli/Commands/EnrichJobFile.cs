using System.Text.Json;
using Tributary.Cli.Api;

namespace Tributary.Cli.Commands;

/// <summary>
/// What <c>&lt;output&gt;.job</c> keeps beside the output while a job runs, so a re-run of the same command continues
/// that job instead of submitting (and paying for) another one. Written as snake_case JSON. It is written before the
/// job is submitted, with the submission's idempotency key and no job id yet: a run stopped before it heard the
/// server's answer sends the same submission again, and the server answers with the job it already created, if any.
/// </summary>
internal sealed record EnrichJobFile(
    Guid JobId,
    string Server,
    string Input,
    IReadOnlyList<string> Channels,
    IReadOnlyList<ColumnMapping>? Map,
    bool Force,
    DateTimeOffset SubmittedAt,
    string? SubmissionKey = null,
    InputFingerprint? InputFile = null)
{
    /// <summary>Written before the submission was answered: the job, if the server created it, is known by the key only.</summary>
    public bool IsPendingSubmission => JobId == Guid.Empty;

    public static string PathFor(FileInfo output) => output.FullName + ".job";

    /// <summary>Reads the file; null when it does not exist. A file that is not a job file throws <see cref="InvalidDataException"/>.</summary>
    public static async Task<EnrichJobFile?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            var file = await JsonSerializer.DeserializeAsync<EnrichJobFile>(stream, ApiJson.Options, cancellationToken);
            if (file is null || (file.JobId == Guid.Empty && string.IsNullOrWhiteSpace(file.SubmissionKey)) || string.IsNullOrWhiteSpace(file.Server)
                || string.IsNullOrWhiteSpace(file.Input) || file.Channels is not { Count: > 0 })
            {
                throw new InvalidDataException("job_id (or submission_key), server, input or channels is missing");
            }

            return file;
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException("not the expected JSON", exception);
        }
    }

    /// <summary>Writes the file whole or not at all: a crash never leaves half a job file behind.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(stream, this, ApiJson.Options, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Why this job cannot stand for the given run, or null when it can.</summary>
    public string? DescribeMismatch(Uri server, FileInfo input, IReadOnlyList<string> channels, IReadOnlyList<ColumnMapping> map, bool force)
    {
        if (!SameServer(server))
        {
            return $"it was submitted to {Server}, not {server}";
        }

        if (!string.Equals(Input, input.FullName, StringComparison.Ordinal))
        {
            return $"it enriches {Input}";
        }

        if (!Channels.SequenceEqual(channels, StringComparer.Ordinal))
        {
            return $"it asks for the channels {string.Join(',', Channels)}";
        }

        if (!(Map ?? []).SequenceEqual(map))
        {
            return $"it maps the columns {DescribeMap(Map)}";
        }

        if (Force != force)
        {
            return Force ? "it was run with --force" : "it was run without --force";
        }

        if (InputFile is not null && InputFile != InputFingerprint.Of(input))
        {
            return $"{Input} has changed since";
        }

        return null;
    }

    private bool SameServer(Uri server) =>
        Uri.TryCreate(Server.EndsWith('/') ? Server : Server + "/", UriKind.Absolute, out var recorded)
        && Uri.Compare(recorded, server, UriComponents.AbsoluteUri, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static string DescribeMap(IReadOnlyList<ColumnMapping>? map) =>
        map is { Count: > 0 } ? string.Join(',', map.Select(mapping => $"{mapping.Field}={mapping.Column}")) : "(none)";
}

/// <summary>Enough of an input file to notice it was changed: its length and when it was last written.</summary>
internal sealed record InputFingerprint(long Length, DateTime LastWriteUtc)
{
    public static InputFingerprint Of(FileInfo file)
    {
        file.Refresh();
        return new InputFingerprint(file.Length, file.LastWriteTimeUtc);
    }
}
