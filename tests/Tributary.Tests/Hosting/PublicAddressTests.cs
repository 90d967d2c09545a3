using System.Net;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Hosting;

public sealed class PublicBaseUrlApp() : TributaryApp(DatabaseProvider.Sqlite)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Tributary:PublicBaseUrl"] = "https://enrich.example.com/",
    };
}

/// <summary>DESIGN §12: behind a reverse proxy, the links the server gives out are built from PublicBaseUrl.</summary>
public sealed class PublicAddressTests(PublicBaseUrlApp app) : IClassFixture<PublicBaseUrlApp>
{
    [Fact]
    public async Task Location_headers_point_at_the_public_address_and_replays_keep_them()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var created = await client.PostJson("/v1/contacts", new { email = "ada@analytical.io" });
        var id = (await created.ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        created.Headers.Location!.ToString().ShouldBe($"https://enrich.example.com/v1/contacts/{id}");

        HttpRequestMessage Job()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs")
            {
                Content = new StringContent("""{"records":[{"email":"ada@analytical.io"}],"channels":["work_email"]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "public-links");
            return request;
        }
        var accepted = await client.SendAsync(Job());
        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var job = (await accepted.Json()).GetProperty("data").GetProperty("id").GetGuid();
        accepted.Headers.Location!.ToString().ShouldBe($"https://enrich.example.com/v1/jobs/{job}");
        var replayed = await client.SendAsync(Job());
        replayed.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        replayed.Headers.Location!.ToString().ShouldBe($"https://enrich.example.com/v1/jobs/{job}");
    }
}
