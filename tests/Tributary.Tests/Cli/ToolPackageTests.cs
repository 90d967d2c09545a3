using System.Diagnostics;

namespace Tributary.Tests.Cli;

/// <summary>DESIGN §13: the command line installs as a <c>tributary</c> command, packed from the repository.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_cli_packs_as_a_dotnet_tool_that_installs_as_tributary()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Tributary.slnx"))) root = root.Parent;
        root.ShouldNotBeNull();
        var work = Directory.CreateTempSubdirectory("tributary-tool-").FullName;
        var packages = Path.Combine(work, "artifacts");
        var tools = Path.Combine(work, "tools");

        (await RunAsync("dotnet", ["pack", Path.Combine(root.FullName, "src", "Tributary.Cli"), "-o", packages, "--nologo"])).Exit.ShouldBe(0);
        (await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "Tributary.Cli"])).Exit.ShouldBe(0);
        var (exit, output) = await RunAsync(Path.Combine(tools, "tributary"), ["jobs", "--help"]);
        exit.ShouldBe(0, output);
        output.ShouldContain("cancel");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
