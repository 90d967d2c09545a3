using System.Net;
using System.Text.RegularExpressions;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.WebConsole;

/// <summary>How the server serves the console (DESIGN §15): the landing page, the shell on every client-side route, local assets, the CSP.</summary>
public sealed partial class ConsoleServingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Csp = "default-src 'self'; frame-ancestors 'none'";

    [Fact]
    public async Task The_root_is_a_page_linking_to_the_console_and_every_app_path_is_its_shell_under_the_csp()
    {
        using var client = app.CreateClient();
        var root = await client.GetAsync("/");
        root.StatusCode.ShouldBe(HttpStatusCode.OK);
        root.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await root.Content.ReadAsStringAsync()).ShouldContain("href=\"/app\"");
        foreach (var path in new[] { "/", "/app", "/app/", "/app/jobs", "/app/jobs/01a2326a-8b8f-789b-9372-274ceed5901c", "/app/settings" })
        {
            var page = await client.GetAsync(path);
            page.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            page.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(Csp, path);
            page.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        }
        var shell = await client.GetStringAsync("/app/contacts");
        shell.ShouldContain("<script type=\"module\" src=\"/app/assets/app.js\"></script>");
    }

    [Fact]
    public async Task Every_script_and_style_the_shell_loads_is_served_from_the_server_and_nothing_is_inline()
    {
        using var client = app.CreateClient();
        var shell = await client.GetStringAsync("/app");
        InlineScriptOrStyle().IsMatch(shell).ShouldBeFalse("no inline script, style element or style attribute");
        var pending = new Queue<string>(Referenced().Matches(shell).Select(m => m.Groups[1].Value));
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path)) continue;
            path.ShouldStartWith("/app/assets/", customMessage: "assets are local");
            var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe(path.EndsWith(".js") ? "text/javascript" : "text/css", path);
            var text = await response.Content.ReadAsStringAsync();
            text.ShouldNotContain("http://", customMessage: path);
            text.ShouldNotContain("https://cdn", customMessage: path);
            text.ShouldNotContain("innerHTML", customMessage: path);
            if (path.EndsWith(".js"))
                foreach (Match import in Imported().Matches(text)) pending.Enqueue("/app/assets/" + import.Groups[1].Value);
        }
        seen.Count.ShouldBeGreaterThan(8);
        await (await client.GetAsync("/app/assets/nothing-here.js")).ShouldBeError(404, "not_found");
    }

    [GeneratedRegex("<script>|<style|style=\"")]
    private static partial Regex InlineScriptOrStyle();

    [GeneratedRegex("(?:src|href)=\"(/app/assets/[^\"]+)\"")]
    private static partial Regex Referenced();

    [GeneratedRegex(@"from '\./([a-z]+\.js)'")]
    private static partial Regex Imported();
}
