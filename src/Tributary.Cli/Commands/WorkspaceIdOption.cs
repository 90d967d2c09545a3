using System.CommandLine;

namespace Tributary.Cli.Commands;

internal static class WorkspaceIdOption
{
    public static Option<Guid> CreateRequired() =>
        new("--workspace", "-w")
        {
            Description = "Workspace id",
            HelpName = "id",
            Required = true,
            CustomParser = result => ValueParsers.ParseId(result, "workspace id"),
        };

    public static Option<Guid?> CreateOptional(string description) =>
        new("--workspace", "-w")
        {
            Description = description,
            HelpName = "id",
            CustomParser = result => ValueParsers.ParseId(result, "workspace id"),
        };
}
