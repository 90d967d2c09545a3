using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tributary.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tributary.Tests.WebConsole;

/// <summary>
/// The web console in a real Chromium against the server as <c>dotnet run</c> starts it (Development: the demo workspace,
/// its printed key and the demo dataset), doing what the README says: open /app, sign in, enrich
/// <c>data/demo/sample-leads.csv</c> and download the result. With <c>TRIBUTARY_SCREENSHOTS=&lt;folder&gt;</c> it saves a
/// screenshot of each screen there (the README's are made so).
/// </summary>
[Collection(ServerProcessCollection.Name)]
public sealed partial class ConsoleBrowserTests : IAsyncLifetime
{
    private const string AdminToken = "console-test-admin-token";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    private ServerProcess _server = null!;
    private string _key = null!;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly ConcurrentQueue<string> _urls = new();
    private readonly ConcurrentQueue<string> _pageErrors = new();

    public async Task InitializeAsync()
    {
        if (BrowserAvailability.SkipReason is not null) return;
        _server = await ServerProcess.StartAsync("Development", new Dictionary<string, string> { ["Tributary__AdminToken"] = AdminToken });
        _key = DemoKey().Match(_server.Output).Groups[1].Value;
        _key.StartsWith("wbk_", StringComparison.Ordinal).ShouldBeTrue(_server.Output);
        (_playwright, _browser) = await BrowserAvailability.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    [BrowserFact]
    public async Task A_user_signs_in_enriches_the_sample_csv_downloads_it_and_changes_a_setting_and_the_key_stays_out_of_urls_and_local_storage()
    {
        var page = await NewPageAsync(1280, 800);

        // The landing page links to the console; the key is typed and sent from the keyboard alone.
        await page.GotoAsync(_server.Url + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the web console" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Screenshot(page, "sign-in");
        await TabToAsync(page, "key");
        (await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle")).ShouldNotBe("none", "the focused control shows its focus");
        await page.Keyboard.TypeAsync(_key);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByText("Workspace demo", new() { Exact = true })).ToBeVisibleAsync();

        // Upload, preview and the mapping recognised from the CRM export's headers.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enrich a CSV" })).ToBeVisibleAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(SampleLeads);
        await Expect(page.Locator("#row-count")).ToHaveTextAsync("sample-leads.csv: 50 rows, 8 columns (comma separated).");
        await Expect(page.GetByRole(AriaRole.Table).First.GetByRole(AriaRole.Cell, new() { Name = "Chloe", Exact = true })).ToBeVisibleAsync();
        (await Mapping(page, "Email")).ShouldBe("email");
        (await Mapping(page, "LinkedIn Profile URL")).ShouldBe("linkedin_url");
        (await Mapping(page, "Website")).ShouldBe("company_domain");
        (await Mapping(page, "Company")).ShouldBe("company_name");
        (await Mapping(page, "First Name")).ShouldBe("first_name");
        (await Mapping(page, "Lead Source")).ShouldBe("");
        // Mapping nothing that identifies a person is refused before anything is sent.
        foreach (var column in new[] { "Email", "LinkedIn Profile URL", "Website", "Company" })
            await page.GetByLabel(column, new() { Exact = true }).SelectOptionAsync("");
        await Expect(page.GetByText("Map an email, a LinkedIn URL, or a name with a company")).ToBeVisibleAsync();
        await Expect(page.Locator("#start")).ToBeDisabledAsync();
        await page.GetByLabel("Email", new() { Exact = true }).SelectOptionAsync("email");
        await page.GetByLabel("LinkedIn Profile URL", new() { Exact = true }).SelectOptionAsync("linkedin_url");
        await page.GetByLabel("Website", new() { Exact = true }).SelectOptionAsync("company_domain");
        await page.GetByLabel("Company", new() { Exact = true }).SelectOptionAsync("company_name");

        // Channels, then the estimate (50 rows × (1 + 10) credits at most) and the balance.
        await Expect(page.GetByLabel("Work email", new() { Exact = true })).ToBeCheckedAsync();
        await Expect(page.GetByLabel("Phone", new() { Exact = true })).ToBeCheckedAsync();
        await page.GetByLabel("Job title", new() { Exact = true }).CheckAsync();
        await Expect(page.Locator("#estimate-credits")).ToHaveTextAsync("600 credits");
        await page.GetByLabel("Job title", new() { Exact = true }).UncheckAsync();
        await Expect(page.Locator("#estimate-credits")).ToHaveTextAsync("550 credits");
        await Expect(page.Locator("#balance")).ToHaveTextAsync("1,000 credits");
        await Screenshot(page, "enrich", fullPage: true);

        // A double click starts one job, named after the file.
        await page.Locator("#start").DblClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/app/jobs/[0-9a-f-]{36}$"));
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("succeeded", new() { Timeout = (float)JobTimeout.TotalMilliseconds });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "sample-leads.csv" })).ToBeVisibleAsync();
        await Expect(page.GetByText("50 of 50").First).ToBeVisibleAsync();
        await Screenshot(page, "job");
        using var api = _server.Client(_key);
        var jobs = (await api.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetProperty("jobs");
        jobs.GetArrayLength().ShouldBe(1, "a double click starts one job");
        jobs[0].GetProperty("name").GetString().ShouldBe("sample-leads.csv");

        // The download: original columns kept, found values with their source, confidence, email status and verified.
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download the enriched CSV of sample-leads.csv" }).ClickAsync());
        download.SuggestedFilename.ShouldBe("sample-leads-enriched.csv");
        download.Url.ShouldContain("token=");
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(51);
        lines[0].ShouldBe("First Name,Last Name,Email,Company,Website,LinkedIn Profile URL,Title,Lead Source," +
                          "work_email,work_email_source,work_email_confidence,work_email_status,work_email_verified," +
                          "phone,phone_source,phone_confidence,phone_verified,status");
        lines[1].ShouldStartWith("Chloe,Walker,chloe.walker@westmarkrobotics.com,Westmark Robotics,,https://www.linkedin.com/in/chloewalker,,Webinar," +
                                 "chloe.walker@westmarkrobotics.com,demo,0.9,");
        lines[1].ShouldEndWith(",+14155238841,demo,0.9,,done");
        lines[2].ShouldStartWith("Jordan,Rivera,,Tidewell Analytics,,https://www.linkedin.com/in/jordan-rivera,Senior Account Executive,Trade show," +
                                 "jordan.rivera@tidewell.io,demo,0.9,");
        lines.Skip(1).ShouldAllBe(l => l.EndsWith(",done"));

        // Jobs, credits and contacts.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "sample-leads.csv" })).ToContainTextAsync("succeeded");
        await Screenshot(page, "jobs");
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Credits" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("charge");
        await Screenshot(page, "credits", fullPage: true);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Contacts" }).ClickAsync();
        await page.GetByLabel("Name or email contains").FillAsync("chloe");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByText("1 contacts match.", new() { Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Select Chloe Walker").CheckAsync();
        await Screenshot(page, "contacts", fullPage: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Enrich selected" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "1 selected contact" })).ToBeVisibleAsync();
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("succeeded", new() { Timeout = (float)JobTimeout.TotalMilliseconds });

        // A setting changed in the console is the workspace's.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await page.GetByLabel("Minimum confidence").FillAsync("0.65");
        await page.GetByLabel("Default phone countries").FillAsync("us, gb");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByText("Settings saved.", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Default phone countries")).ToHaveValueAsync("US, GB");
        await Screenshot(page, "settings", fullPage: true);
        var settings = (await api.GetFromJsonAsync<JsonElement>("/v1/workspace/settings")).GetProperty("data");
        settings.GetProperty("min_confidence").GetDouble().ShouldBe(0.65);
        settings.GetProperty("default_phone_countries").EnumerateArray().Select(c => c.GetString()).ShouldBe(["US", "GB"]);
        // A refusal is said in plain words, and nothing is saved.
        await page.GetByLabel("Verification webhook URL").FillAsync("http://127.0.0.1/hook");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByText("'verification_webhook_url'")).ToBeVisibleAsync();
        (await api.GetFromJsonAsync<JsonElement>("/v1/workspace/settings")).GetProperty("data").GetProperty("verification_webhook_url")
            .ValueKind.ShouldBe(JsonValueKind.Null);

        // Providers open with the operator's admin token.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Providers" }).ClickAsync();
        await page.GetByLabel("Admin token").FillAsync(AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as operator" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "dataset" })).ToContainTextAsync("healthy");
        await Screenshot(page, "providers");

        // The key (and the admin token) lived in this tab's sessionStorage only, and never in a URL.
        (await page.EvaluateAsync<string>("JSON.stringify(sessionStorage)")).ShouldContain(_key);
        (await page.EvaluateAsync<int>("localStorage.length")).ShouldBe(0);
        var cookies = await page.Context.CookiesAsync();
        cookies.ShouldBeEmpty();
        _urls.ShouldNotBeEmpty();
        _urls.ShouldAllBe(u => !u.Contains(_key) && !u.Contains(AdminToken));
        _pageErrors.ShouldBeEmpty();
    }

    [BrowserFact]
    public async Task A_screen_the_key_may_not_use_names_the_missing_permission_and_a_phone_sized_screen_does_not_scroll_sideways()
    {
        using var admin = _server.Client(AdminToken);
        var workspace = (await admin.GetFromJsonAsync<JsonElement>("/admin/workspaces")).GetProperty("workspaces")[0].GetProperty("id").GetString();
        var created = await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys", new { name = "enrich only", permissions = new[] { "write:enrich" } });
        var narrowKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        var page = await NewPageAsync(390, 844);
        await page.GotoAsync(_server.Url + "/app/settings");
        await page.GetByLabel("API key").FillAsync(narrowKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByText("Settings needs the admin:workspace permission, which this API key lacks")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Credits" }).ClickAsync();
        await Expect(page.GetByText("Credits needs the read:credits permission")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Enrich a CSV" }).ClickAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(SampleLeads);
        await Expect(page.Locator("#estimate-credits")).ToHaveTextAsync("550 credits");
        await Screenshot(page, "phone", fullPage: true);
        (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("the page scrolls sideways");

        // Tens of thousands of rows are counted and priced before anything is sent; a job the balance cannot cover is not started.
        var big = Path.Combine(Directory.CreateTempSubdirectory("tributary-console-").FullName, "big export.csv");
        await File.WriteAllLinesAsync(big, ["\"Email\";\"Company\";\"Notes\"", .. Enumerable.Range(0, 30_000).Select(i => $"lead{i}@example.com;Acme {i};\"a; b\"")]);
        await page.GetByLabel("CSV file").SetInputFilesAsync(big);
        await Expect(page.Locator("#row-count")).ToHaveTextAsync("big export.csv: 30,000 rows, 3 columns (semicolon separated).");
        await Expect(page.Locator("#estimate-credits")).ToHaveTextAsync("330,000 credits");
        await Expect(page.GetByText("The balance does not cover the most this job can cost")).ToBeVisibleAsync();
        await Expect(page.Locator("#start")).ToBeDisabledAsync();

        // A wrong key is said in plain words and leaves the user at the sign-in form.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByLabel("API key").FillAsync("wbk_" + new string('x', 32));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("This API key was not accepted");
        (await page.EvaluateAsync<string>("JSON.stringify(sessionStorage)")).ShouldNotContain("wbk_");
        _pageErrors.ShouldBeEmpty();
    }

    private async Task<IPage> NewPageAsync(int width, int height)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        page.Request += (_, request) => _urls.Enqueue(request.Url);
        page.FrameNavigated += (_, frame) => _urls.Enqueue(frame.Url);
        page.PageError += (_, error) => _pageErrors.Enqueue(error);
        // A script or style the Content-Security-Policy blocked is reported on the console.
        page.Console += (_, message) => { if (message.Type == "error" && message.Text.Contains("Content Security Policy")) _pageErrors.Enqueue(message.Text); };
        return page;
    }

    /// <summary>Presses Tab until the control named <paramref name="name"/> has the focus.</summary>
    private static async Task TabToAsync(IPage page, string name)
    {
        for (var i = 0; i < 20; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string?>("document.activeElement && document.activeElement.name") == name) return;
        }
        throw new ShouldAssertException($"Tab never reached the control '{name}'");
    }

    /// <summary>The visible controls that have neither a label, an aria-label or aria-labelledby, nor (buttons, links) text.</summary>
    private const string UnnamedControls = """
        () => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
          .filter(c => c.offsetParent !== null || c.type === 'file')
          .filter(c => !((c.labels && c.labels.length > 0) || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby')
                         || ((c.tagName === 'BUTTON' || c.tagName === 'A') && c.textContent.trim())))
          .map(c => c.outerHTML.slice(0, 120))
        """;

    private static Task<string> Mapping(IPage page, string column) => page.GetByLabel(column, new() { Exact = true }).InputValueAsync();

    /// <summary>Checks that the screen shows no unrendered value, and saves its screenshot when asked to.</summary>
    private static async Task Screenshot(IPage page, string name, bool fullPage = false)
    {
        var unnamed = await page.EvaluateAsync<string[]>(UnnamedControls);
        unnamed.ShouldBeEmpty($"controls without an accessible name on {name}");
        var text = await page.Locator("body").InnerTextAsync();
        text.ShouldNotContain("undefined", customMessage: name);
        Regex.IsMatch(text, @"\bnull\b").ShouldBeFalse($"{name} shows 'null'");
        if (Environment.GetEnvironmentVariable("TRIBUTARY_SCREENSHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
    }

    private static string SampleLeads
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tributary.slnx"))) dir = dir.Parent;
            return Path.Combine(dir!.FullName, "data", "demo", "sample-leads.csv");
        }
    }

    [GeneratedRegex(@"export TRIBUTARY_KEY=(wbk_[A-Za-z0-9]+)")]
    private static partial Regex DemoKey();
}
