using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using Tributary.Cli.Api;

namespace Tributary.Cli;

/// <summary>
/// Resolves the server address and credential a command needs, then runs it with a ready client.
/// A missing or malformed address or credential is a usage error (exit 2), not a failure.
/// </summary>
internal sealed class CommandRunner(CliContext context, GlobalOptions options)
{
    public CliContext Context => context;

    public Task<int> RunAsAdminAsync(ParseResult parseResult, Func<TributaryApiClient, Task<int>> run) =>
        RunAsync(parseResult, options.AdminToken, GlobalOptions.AdminTokenVariable, "an admin token", run);

    public Task<int> RunWithApiKeyAsync(ParseResult parseResult, Func<TributaryApiClient, Task<int>> run) =>
        RunAsync(parseResult, options.Key, GlobalOptions.KeyVariable, "an API key", run);

    private async Task<int> RunAsync(
        ParseResult parseResult,
        Option<string?> credentialOption,
        string credentialVariable,
        string credentialDescription,
        Func<TributaryApiClient, Task<int>> run)
    {
        var serverText = FirstNonEmpty(
            parseResult.GetValue(options.Server),
            context.GetEnvironmentVariable(GlobalOptions.ServerVariable)) ?? GlobalOptions.DefaultServer;
        if (!TryParseServer(serverText, out var server))
        {
            return context.UsageError($"invalid server address '{serverText}': expected an absolute http or https URL");
        }

        var credential = FirstNonEmpty(
            parseResult.GetValue(credentialOption),
            context.GetEnvironmentVariable(credentialVariable));
        if (credential is null)
        {
            return context.UsageError(
                $"{credentialDescription} is required: pass {credentialOption.Name} or set {credentialVariable}");
        }

        if (credential.Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
        {
            return context.UsageError($"{credentialDescription} must not contain spaces or control characters");
        }

        using var client = context.CreateApiClient(server, credential);
        return await run(client);
    }

    private static string? FirstNonEmpty(params string?[] candidates) =>
        candidates.Select(candidate => candidate?.Trim()).FirstOrDefault(candidate => !string.IsNullOrEmpty(candidate));

    private static bool TryParseServer(string text, [NotNullWhen(true)] out Uri? server)
    {
        // A trailing slash keeps a path prefix (http://host/tributary) when relative API paths are resolved.
        var withTrailingSlash = text.EndsWith('/') ? text : text + "/";
        if (Uri.TryCreate(withTrailingSlash, UriKind.Absolute, out server)
            && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps))
        {
            return true;
        }

        server = null;
        return false;
    }
}
