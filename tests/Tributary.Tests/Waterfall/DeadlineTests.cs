using System.Diagnostics;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Waterfall;

/// <summary>A provider slower than the synchronous deadline.</summary>
public sealed class DeadlineApp() : WaterfallApp(DatabaseProvider.Sqlite,
    new Dictionary<string, FakeProviderSpec>
    {
        ["slowpoke"] = new()
        {
            Channels = ["work_email"], LatencyMs = 3000,
            People = [new() { ["linkedin_url"] = "https://www.linkedin.com/in/late", ["work_email"] = "late@slow.io" }],
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["slowpoke"] },
    new Dictionary<string, object> { ["Tributary:SyncDeadlineMs"] = 500, ["Tributary:Providers:slowpoke:TimeoutMs"] = 10000 });

public sealed class DeadlineTests(DeadlineApp app) : IClassFixture<DeadlineApp>
{
    [Fact]
    public async Task Channels_unfinished_at_the_deadline_are_null_and_free()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var watch = Stopwatch.StartNew();
        var body = await (await client.PostJson("/enrichment", new { linkedin_url = "https://www.linkedin.com/in/late", channels = new[] { "work_email" } })).ShouldBeOk();
        watch.Stop();
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromMilliseconds(2500));
        body.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
        body.GetProperty("credits_used").GetInt64().ShouldBe(0);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(10);
    }

    [Fact]
    public async Task A_bulk_record_cut_by_the_deadline_gets_an_error_in_its_place()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var body = await (await client.PostJson("/enrichment/bulk", new
        {
            records = new object[] { new { linkedin_url = "https://www.linkedin.com/in/late" }, new { shoe = "size" } }, channels = new[] { "work_email" },
        })).ShouldBeOk();
        var results = body.GetProperty("results").EnumerateArray().ToList();
        results[0].GetProperty("error").GetProperty("code").GetString().ShouldBe("deadline_exceeded");
        results[1].GetProperty("error").GetProperty("code").GetString().ShouldBe("validation_error");
        body.GetProperty("credits_used").GetInt64().ShouldBe(0);
    }
}
