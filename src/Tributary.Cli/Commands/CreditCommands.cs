using System.CommandLine;
using Tributary.Cli.Api;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

internal static class CreditCommands
{
    public static Command Create(CommandRunner runner) =>
        new("credits", "Grant credits (admin) and show a workspace's balance")
        {
            GrantCredits(runner),
            ShowBalance(runner),
        };

    private static Command GrantCredits(CommandRunner runner)
    {
        var workspaceId = WorkspaceIdOption.CreateRequired();
        var amount = new Argument<long>("amount")
        {
            Description = "Credits to add; a negative amount takes credits away, down to the available balance",
        };
        var reason = new Option<string?>("--reason")
        {
            Description = "Why the credits are granted, kept in the ledger",
            HelpName = "text",
        };

        var command = new Command("grant", "Grant credits to a workspace and print its new balance")
        {
            workspaceId,
            amount,
            reason,
        };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var request = new GrantCreditsRequest(parseResult.GetRequiredValue(amount), parseResult.GetValue(reason));
                var result = await client.GrantCreditsAsync(
                    parseResult.GetRequiredValue(workspaceId), request, cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                runner.Context.Out.WriteField("balance", result.Value.Balance);
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command ShowBalance(CommandRunner runner)
    {
        var command = new Command("balance", "Show the balance and reserved credits of the API key's workspace");
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunWithApiKeyAsync(parseResult, async client =>
            {
                var result = await client.GetCreditsAsync(cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                runner.Context.Out.WriteField("balance", result.Value.Balance);
                runner.Context.Out.WriteField("reserved", result.Value.Reserved);
                return ExitCodes.Success;
            }));
        return command;
    }
}
