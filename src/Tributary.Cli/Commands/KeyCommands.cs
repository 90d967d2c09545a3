using System.CommandLine;
using Tributary.Cli.Api;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

internal static class KeyCommands
{
    public static Command Create(CommandRunner runner) =>
        new("key", "Create and revoke workspace API keys (admin)")
        {
            CreateKey(runner),
            ListKeys(runner),
            RevokeKey(runner),
        };

    private static Command ListKeys(CommandRunner runner)
    {
        var workspaceId = WorkspaceIdOption.CreateRequired();
        var command = new Command("list", "List a workspace's keys (never their secrets)") { workspaceId };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var result = await client.ListApiKeysAsync(parseResult.GetRequiredValue(workspaceId), cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteTable(["id", "name", "permissions", "created_at", "last_used_at", "expires_at", "revoked_at"],
                    result.Value.GetProperty("keys").EnumerateArray());
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command CreateKey(CommandRunner runner)
    {
        var workspaceId = WorkspaceIdOption.CreateRequired();
        var name = new Option<string>("--name")
        {
            Description = "Name of the key, to recognise it later",
            HelpName = "name",
            Required = true,
        };
        var permissions = new Option<IReadOnlyList<string>>("--permissions")
        {
            Description = "Comma-separated permissions, e.g. write:enrich,read:contacts,read:credits",
            HelpName = "list",
            Required = true,
            CustomParser = ValueParsers.ParseCommaSeparated,
        };
        permissions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<IReadOnlyList<string>>() is not { Count: > 0 })
            {
                result.AddError("--permissions must name at least one permission");
            }
        });
        var expiresAt = new Option<DateTimeOffset?>("--expires-at")
        {
            Description = "When the key stops working (ISO 8601); never when omitted",
            HelpName = "timestamp",
            CustomParser = ValueParsers.ParseTimestamp,
        };

        var command = new Command("create", "Create an API key and print its secret, which is shown only once")
        {
            workspaceId,
            name,
            permissions,
            expiresAt,
        };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var request = new CreateApiKeyRequest(
                    parseResult.GetRequiredValue(name),
                    parseResult.GetRequiredValue(permissions),
                    parseResult.GetValue(expiresAt));
                var result = await client.CreateApiKeyAsync(
                    parseResult.GetRequiredValue(workspaceId), request, cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                var created = result.Value;
                var output = runner.Context.Out;
                output.WriteField("id", created.Id);
                output.WriteField("name", created.Name ?? request.Name);
                output.WriteField("key", created.Key);
                output.WriteField("permissions", created.Permissions ?? request.Permissions);
                output.WriteField("expires_at", created.ExpiresAt);
                output.WriteField("note", "the key is shown only once; store it now, it cannot be retrieved later");
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command RevokeKey(CommandRunner runner)
    {
        var workspaceId = WorkspaceIdOption.CreateRequired();
        var keyId = new Argument<Guid>("keyId")
        {
            Description = "Id of the key to revoke",
            CustomParser = result => ValueParsers.ParseId(result, "key id"),
        };

        var command = new Command("revoke", "Revoke an API key; it stops working at once") { workspaceId, keyId };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var revokedKeyId = parseResult.GetRequiredValue(keyId);
                var result = await client.RevokeApiKeyAsync(
                    parseResult.GetRequiredValue(workspaceId), revokedKeyId, cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                runner.Context.Out.WriteField("revoked", revokedKeyId.ToString());
                return ExitCodes.Success;
            }));
        return command;
    }
}
