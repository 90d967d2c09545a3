using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

internal static class WorkspaceCommands
{
    public static Command Create(CommandRunner runner) =>
        new("workspace", "Create workspaces and change their settings (admin)")
        {
            CreateWorkspace(runner),
            ListWorkspaces(runner),
            ChangeSettings(runner),
        };

    private static Command ListWorkspaces(CommandRunner runner)
    {
        var command = new Command("list", "List every workspace with its id and balance, oldest first");
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var result = await client.ListWorkspacesAsync(cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteTable(["id", "name", "balance", "reserved", "created_at"],
                    result.Value.GetProperty("workspaces").EnumerateArray());
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command CreateWorkspace(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "Name of the new workspace" };
        name.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("the workspace name must not be empty");
            }
        });

        var command = new Command("create", "Create a workspace and print its id") { name };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var result = await client.CreateWorkspaceAsync(parseResult.GetRequiredValue(name).Trim(), cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                runner.Context.Out.WriteField("id", result.Value.Id);
                runner.Context.Out.WriteField("name", result.Value.Name);
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command ChangeSettings(CommandRunner runner)
    {
        var workspaceId = WorkspaceIdOption.CreateRequired();
        var personalEmailConsent = new Option<bool>("--personal-email-consent")
        {
            Description = "Whether personal emails may be looked up (true or false)",
            HelpName = "true|false",
        };
        var defaultPhoneCountries = new Option<IReadOnlyList<string>>("--default-phone-countries")
        {
            Description = "ISO alpha-2 countries used to read national phone numbers, e.g. US,FR (\"\" clears)",
            HelpName = "codes",
            CustomParser = ParseCountryCodes,
        };
        var minConfidence = new Option<double>("--min-confidence")
        {
            Description = "Lowest provider confidence accepted, from 0 to 1",
            HelpName = "0..1",
        };
        minConfidence.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                result.AddError("--min-confidence must be between 0 and 1");
            }
        });
        var verificationWebhookUrl = new Option<string>("--verification-webhook-url")
        {
            Description = "Where email verification results are posted (\"\" clears)",
            HelpName = "url",
        };
        verificationWebhookUrl.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!string.IsNullOrEmpty(value) && !IsHttpUrl(value))
            {
                result.AddError($"'{value}' is not an absolute http or https URL");
            }
        });

        var command = new Command(
            "settings",
            "Change workspace settings; only the options given are changed, and the resulting settings are printed")
        {
            workspaceId,
            personalEmailConsent,
            defaultPhoneCountries,
            minConfidence,
            verificationWebhookUrl,
        };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunAsAdminAsync(parseResult, async client =>
            {
                var changes = new JsonObject();
                if (WasGiven(parseResult, personalEmailConsent))
                {
                    changes["personal_email_consent"] = parseResult.GetValue(personalEmailConsent);
                }

                if (WasGiven(parseResult, defaultPhoneCountries))
                {
                    var countries = parseResult.GetValue(defaultPhoneCountries) ?? [];
                    changes["default_phone_countries"] = new JsonArray(countries.Select(code => (JsonNode?)code).ToArray());
                }

                if (WasGiven(parseResult, minConfidence))
                {
                    changes["min_confidence"] = parseResult.GetValue(minConfidence);
                }

                if (WasGiven(parseResult, verificationWebhookUrl))
                {
                    var url = parseResult.GetValue(verificationWebhookUrl);
                    changes["verification_webhook_url"] = string.IsNullOrEmpty(url) ? null : url;
                }

                var result = await client.UpdateWorkspaceSettingsAsync(
                    parseResult.GetRequiredValue(workspaceId), changes, cancellationToken);
                if (!result.Succeeded)
                {
                    return runner.Context.Fail(result.Failure);
                }

                runner.Context.Out.WriteFields(result.Value);
                return ExitCodes.Success;
            }));
        return command;
    }

    // Options with a default still have a result when omitted; only an explicit one is a change.
    private static bool WasGiven(ParseResult parseResult, Option option) =>
        parseResult.GetResult(option) is { Implicit: false };

    private static IReadOnlyList<string> ParseCountryCodes(ArgumentResult result)
    {
        var codes = ValueParsers.ParseCommaSeparated(result).Select(code => code.ToUpperInvariant()).ToList();
        var invalid = codes.Where(code => code.Length != 2 || !code.All(char.IsAsciiLetterUpper)).ToList();
        if (invalid.Count > 0)
        {
            result.AddError($"not ISO alpha-2 country codes: {string.Join(',', invalid)}");
        }

        return codes;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
