using System.CommandLine;

namespace Tributary.Cli;

/// <summary>Connection options accepted by every command, before or after the command name.</summary>
internal sealed class GlobalOptions
{
    public const string ServerVariable = "TRIBUTARY_URL";
    public const string KeyVariable = "TRIBUTARY_KEY";
    public const string AdminTokenVariable = "TRIBUTARY_ADMIN_TOKEN";
    public const string DefaultServer = "http://localhost:5080";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"Server address (env {ServerVariable}, default {DefaultServer})",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"Workspace API key, wbk_... (env {KeyVariable})",
        HelpName = "secret",
        Recursive = true,
    };

    public Option<string?> AdminToken { get; } = new("--admin-token")
    {
        Description = $"Operator token of the admin API (env {AdminTokenVariable})",
        HelpName = "token",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Server);
        root.Add(Key);
        root.Add(AdminToken);
    }
}
