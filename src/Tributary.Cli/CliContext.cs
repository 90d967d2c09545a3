using Tributary.Cli.Api;

namespace Tributary.Cli;

/// <summary>What one run of the tool talks to: its output writers, its environment and the HTTP stack.</summary>
internal sealed class CliContext(
    TextWriter stdout,
    TextWriter stderr,
    HttpMessageHandler? handler,
    IDictionary<string, string?>? environment)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>True when errors go to the process's own standard error and that is a terminal, not a file or pipe.</summary>
    public bool ErrorIsInteractiveConsole => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    public string? GetEnvironmentVariable(string name)
    {
        if (environment is null)
        {
            return Environment.GetEnvironmentVariable(name);
        }

        return environment.TryGetValue(name, out var value) ? value : null;
    }

    public TributaryApiClient CreateApiClient(Uri server, string bearerToken)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        return new TributaryApiClient(http, server, bearerToken);
    }

    public int Fail(string message)
    {
        Error.WriteLine($"error: {message}");
        return ExitCodes.Failure;
    }

    public int Interrupted(string message)
    {
        Error.WriteLine($"interrupted: {message}");
        return ExitCodes.Interrupted;
    }

    public int UsageError(string message)
    {
        Error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}
