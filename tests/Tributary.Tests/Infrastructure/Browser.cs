using Microsoft.Playwright;

namespace Tributary.Tests.Infrastructure;

/// <summary>
/// Tests in a real Chromium: Debian's <c>chromium</c> package (<c>.ci/run</c> installs it), driven by Playwright's own
/// driver from its NuGet package; no browser is downloaded. Without the browser they skip with the reason, except under
/// CI, where a missing browser fails them (as a missing PostgreSQL does).
/// </summary>
public static class BrowserAvailability
{
    public const string Variable = "TRIBUTARY_TEST_CHROMIUM";

    /// <summary>The browser to drive: <c>TRIBUTARY_TEST_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Installed => File.Exists(ExecutablePath);

    public static string? SkipReason => !Installed && !PostgresAvailability.InCi
        ? $"Browser tests are skipped: no Chromium at {ExecutablePath} (apt-get install chromium, or set {Variable})"
        : null;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!Installed)
            throw new InvalidOperationException($"A Chromium is required here but there is none at {ExecutablePath} (apt-get install -y chromium)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
        return (playwright, browser);
    }
}

/// <summary>A fact that needs a browser: skipped with the reason when there is none, failed instead under CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserAvailability.SkipReason is { } reason) Skip = reason;
    }
}
