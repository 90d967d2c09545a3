using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Jobs;

namespace Tributary.Tests.WebConsole;

/// <summary>The console's signed download links (DESIGN §15), and that no other route takes a credential from a query string.</summary>
public abstract class DownloadLinkTests(JobProvidersApp app)
{
    private async Task<(TestWorkspace Ws, HttpClient Client, Guid JobId)> FinishedJobAsync(string name = "spring leads.csv")
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        var client = ws.Client();
        var csv = "Name,LinkedIn,Note\nPerson 0,https://www.linkedin.com/in/job-0,=SUM(A1)\nNobody,https://www.linkedin.com/in/nobody-at-all,\n";
        var created = await client.PostAsync($"/v1/jobs?channels=work_email,phone&name={Uri.EscapeDataString(name)}",
            new StringContent(csv, Encoding.UTF8, "text/csv"));
        var id = (await created.ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            job => job.GetProperty("status").GetString() == "succeeded", $"job {id}", delayMs: 100);
        return (ws, client, id);
    }

    private static async Task<string> LinkAsync(HttpClient client, Guid jobId, object? body = null)
    {
        var answer = await (await client.PostJson($"/v1/jobs/{jobId}/download", body ?? new { format = "csv" })).ShouldBeOk();
        var data = answer.GetProperty("data");
        var expires = data.GetProperty("expires_at").GetDateTime();
        expires.ShouldBeGreaterThan(DateTime.UtcNow);
        expires.ShouldBeLessThanOrEqualTo(DateTime.UtcNow.AddMinutes(10));
        return data.GetProperty("url").GetString()!;
    }

    [DbFact]
    public async Task A_link_downloads_the_enriched_csv_named_after_the_job_without_any_key()
    {
        var (ws, client, id) = await FinishedJobAsync();
        var url = await LinkAsync(client, id);
        url.ShouldStartWith($"/v1/jobs/{id}/download?token=");
        url.ShouldNotContain(ws.Key);

        using var anonymous = app.CreateClient();
        var response = await anonymous.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileNameStar.ShouldBe("spring leads-enriched.csv");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var rows = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].ShouldBe("Name,LinkedIn,Note,work_email,work_email_source,work_email_confidence,work_email_status,work_email_verified," +
                         "phone,phone_source,phone_confidence,phone_verified,status");
        rows[1].ShouldStartWith("Person 0,https://www.linkedin.com/in/job-0,'=SUM(A1),person0@jobs.io,vendor,0.9,");
        rows[2].ShouldBe("Nobody,https://www.linkedin.com/in/nobody-at-all,,,,,,,,,,,done");

        // The same link again works until it expires, and a JSONL link gives JSONL.
        (await anonymous.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var jsonl = await anonymous.GetAsync(await LinkAsync(client, id, new { format = "jsonl" }));
        jsonl.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
    }

    [DbFact]
    public async Task A_tampered_foreign_expired_or_missing_token_is_refused_in_the_native_error_shape()
    {
        var (_, client, id) = await FinishedJobAsync();
        var url = await LinkAsync(client, id);
        var token = Uri.UnescapeDataString(url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        using var anonymous = app.CreateClient();
        async Task Refused(string path, int status = 401, string code = "invalid_download_link") =>
            await (await anonymous.GetAsync(path)).ShouldBeError(status, code);

        await Refused($"/v1/jobs/{id}/download");
        await Refused($"/v1/jobs/{id}/download?token=");
        await Refused($"/v1/jobs/{id}/download?token=nonsense");
        await Refused($"/v1/jobs/{id}/download?token={Uri.EscapeDataString(token)}&token={Uri.EscapeDataString(token)}");
        var mac = token[(token.LastIndexOf('.') + 1)..];
        var flipped = (mac[0] == 'A' ? 'B' : 'A') + mac[1..];
        await Refused($"/v1/jobs/{id}/download?token={Uri.EscapeDataString(token[..(token.LastIndexOf('.') + 1)] + flipped)}");
        await Refused($"/v1/jobs/{id}/download?token={Uri.EscapeDataString(token.Replace(".csv.", ".jsonl.", StringComparison.Ordinal))}");
        // A link of one job does not open another, even one of the same workspace.
        var (_, otherClient, other) = await FinishedJobAsync();
        await Refused($"/v1/jobs/{other}/download?token={Uri.EscapeDataString(token)}");
        // Signed with the server's own key but expired, or claiming a longer life than any link gets.
        var parts = token.Split('.');
        await Refused($"/v1/jobs/{id}/download?token={Uri.EscapeDataString(await SignAsync(parts, DateTimeOffset.UtcNow.AddSeconds(-1)))}");
        await Refused($"/v1/jobs/{id}/download?token={Uri.EscapeDataString(await SignAsync(parts, DateTimeOffset.UtcNow.AddHours(1)))}");
        (await anonymous.GetAsync($"/v1/jobs/{id}/download?token={Uri.EscapeDataString(await SignAsync(parts, DateTimeOffset.UtcNow.AddMinutes(2)))}"))
            .StatusCode.ShouldBe(HttpStatusCode.OK, "the re-signing above is the server's own scheme");
        // The bearer header is not what this route reads.
        await (await client.GetAsync($"/v1/jobs/{id}/download")).ShouldBeError(401, "invalid_download_link");
        await (await otherClient.PostJson($"/v1/jobs/{id}/download", new { format = "csv" })).ShouldBeError(404, "not_found");
        await (await client.PostJson($"/v1/jobs/{id}/download", new { format = "xlsx" })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs/not-a-job/download", new { })).ShouldBeError(400, "validation_error");
    }

    [DbFact]
    public async Task A_link_is_refused_once_its_key_is_revoked_and_a_key_without_read_enrich_gets_none()
    {
        var (ws, client, id) = await FinishedJobAsync();
        var url = await LinkAsync(client, id);
        Guid keyId;
        await using (var db = app.NewDb())
            keyId = db.ApiKeys.Single(k => k.SecretHash == Tributary.Core.Workspaces.Secrets.Hash(ws.Key)).Id;
        using var admin = app.Admin();
        (await admin.DeleteAsync($"/admin/workspaces/{ws.Id}/keys/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await app.CreateClient().GetAsync(url)).ShouldBeError(401, "invalid_download_link");

        var writer = app.Client(await app.CreateKeyAsync(ws.Id, ["write:contacts", "read:credits"]));
        await (await writer.PostJson($"/v1/jobs/{id}/download", new { format = "csv" })).ShouldBeError(403, "insufficient_permissions");
    }

    [DbFact]
    public async Task A_hint_mapped_to_no_column_is_not_read_from_a_column_carrying_its_name()
    {
        // The console sends "hint=" for every hint its user left unmapped.
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var csv = new StringContent("Email,Note\nperson0@jobs.io,x\n", Encoding.UTF8, "text/csv");
        var refused = await (await client.PostAsync("/v1/jobs?channels=work_email&map=email=", csv)).ShouldBeError(400, "validation_error");
        refused.GetProperty("message").GetString()!.ShouldContain("no known input column");
        csv = new StringContent("Email,Profile\nnobody@nowhere.io,https://www.linkedin.com/in/job-3\n", Encoding.UTF8, "text/csv");
        (await (await client.PostAsync("/v1/jobs?channels=work_email&map=email=,linkedin_url=Profile", csv)).ShouldBeOk(202))
            .GetProperty("data").GetProperty("total").GetInt32().ShouldBe(1);
    }

    [DbFact]
    public async Task No_route_takes_an_api_key_from_the_query_string()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var anonymous = app.CreateClient();
        var key = Uri.EscapeDataString(ws.Key);
        foreach (var name in new[] { "api_key", "apikey", "key", "token", "access_token", "X-Api-Key", "secret" })
        foreach (var path in new[] { "/v1/credits", "/v1/workspace", "/v1/jobs", "/api/v2/credits" })
            ((int)(await anonymous.GetAsync($"{path}?{name}={key}")).StatusCode).ShouldBe(401, $"{path}?{name}=");
        using var adminByQuery = app.CreateClient();
        ((int)(await adminByQuery.GetAsync($"/admin/workspaces?token={TributaryApp.AdminToken}")).StatusCode).ShouldBe(401);
    }

    [DbFact]
    public async Task Server_processes_racing_for_the_first_download_key_all_end_up_with_the_same_one()
    {
        // A fresh database, and several processes' worth of ServerSecrets asking at once.
        await using var database = await TestDatabase.CreateAsync(app.Provider);
        var factory = new TributaryDbFactory(database.Options);
        await factory.MigrateAsync();
        var keys = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            new ServerSecrets(factory, TimeProvider.System).GetAsync(ServerSecrets.ConsoleDownloads, CancellationToken.None))));
        keys.Select(Convert.ToBase64String).Distinct().Count().ShouldBe(1);
        keys[0].Length.ShouldBe(32);
    }

    /// <summary>A token for the same grant with another expiry, signed with the server's download key (as a process of it would).</summary>
    private async Task<string> SignAsync(string[] parts, DateTimeOffset expires)
    {
        var secret = await app.Services.GetRequiredService<ServerSecrets>().GetAsync(ServerSecrets.ConsoleDownloads, CancellationToken.None);
        var body = string.Join('.', parts[0], parts[1], parts[2], parts[3], expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var mac = Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(body))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{body}.{mac}";
    }
}

public sealed class DownloadLinkTests_Sqlite(JobSqliteApp app) : DownloadLinkTests(app), IClassFixture<JobSqliteApp>;

public sealed class DownloadLinkTests_Postgres(JobPostgresApp app) : DownloadLinkTests(app), IClassFixture<JobPostgresApp>, IPostgresTests;
