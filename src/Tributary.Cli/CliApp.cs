using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Tributary.Cli.Commands;

namespace Tributary.Cli;

/// <summary>The <c>tributary</c> command line, runnable in-process against any writers and HTTP handler.</summary>
public static class CliApp
{
    /// <summary>Runs one command line and returns its exit code: 0 done, 1 failure, 2 usage error.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Receives results and help.</param>
    /// <param name="stderr">Receives one line per error.</param>
    /// <param name="handler">When given, every HTTP request goes through it (it is not disposed).</param>
    /// <param name="environment">When given, replaces the process environment variables.</param>
    /// <param name="interrupt">Stops the command as Ctrl-C does (exit 130).</param>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        HttpMessageHandler? handler = null,
        IDictionary<string, string?>? environment = null,
        CancellationToken interrupt = default)
    {
        var context = new CliContext(stdout, stderr, handler, environment);
        var root = BuildRootCommand(context);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            return ReportUsageErrors(parseResult, context);
        }

        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            }, interrupt);
        }
        catch (OperationCanceledException)
        {
            return context.Interrupted("stopped before the command finished");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return context.Fail(exception.Message);
        }
        catch (Exception exception)
        {
            // A command line prints one line, never a stack trace, whatever went wrong.
            return context.Fail($"unexpected {exception.GetType().Name}: {exception.Message}");
        }
    }

    private static RootCommand BuildRootCommand(CliContext context)
    {
        var globalOptions = new GlobalOptions();
        var runner = new CommandRunner(context, globalOptions);
        var root = new RootCommand("Administer a Tributary server, import contacts into a workspace and enrich CSV files.")
        {
            HelpName = "tributary",
        };
        globalOptions.AddTo(root);
        root.Add(WorkspaceCommands.Create(runner));
        root.Add(KeyCommands.Create(runner));
        root.Add(ProviderCommands.Create(runner));
        root.Add(CreditCommands.Create(runner));
        root.Add(ImportCommand.Create(runner));
        root.Add(EnrichCommand.Create(runner));
        root.Add(JobCommands.Create(runner));
        return root;
    }

    private static int ReportUsageErrors(ParseResult parseResult, CliContext context)
    {
        var messages = string.Join("; ", parseResult.Errors.Select(error => error.Message.TrimEnd('.')).Distinct());
        var commandPath = CommandPath(parseResult.CommandResult);
        return context.UsageError($"{messages} (see '{commandPath} --help')");
    }

    private static string CommandPath(CommandResult? commandResult)
    {
        var names = new Stack<string>();
        for (var current = commandResult; current is not null; current = current.Parent as CommandResult)
        {
            names.Push(current.Parent is null ? "tributary" : current.Command.Name);
        }

        return string.Join(' ', names);
    }
}
