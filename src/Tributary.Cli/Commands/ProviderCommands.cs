using System.CommandLine;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

/// <summary><c>tributary providers list|check</c> (DESIGN §5.4), with the admin token.</summary>
internal static class ProviderCommands
{
    public static Command Create(CommandRunner runner) =>
        new("providers", "List the configured providers and check a vendor key (admin)")
        {
            List(runner),
            Check(runner),
        };

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "List the providers: type, channels, whether it verifies, health (never a key)");
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var result = await client.ListProvidersAsync(cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteTable(["name", "type", "channels", "verifies", "health"], result.Value.GetProperty("providers").EnumerateArray());
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command Check(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "The provider's name under Tributary:Providers" };
        var command = new Command("check", "Ask the vendor's account endpoint whether the key works and what is left; fails when it does not") { name };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var result = await client.CheckProviderAsync(parseResult.GetRequiredValue(name), cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteFields(result.Value);
                return result.Value.GetProperty("outcome").GetString() == "failed" ? ExitCodes.Failure : ExitCodes.Success;
            }));
        return command;
    }
}
