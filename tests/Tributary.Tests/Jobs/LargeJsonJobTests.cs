using System.Net;
using System.Net.Http.Json;
using System.Text;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Jobs;

/// <summary>DESIGN §9: a JSON job body is read as a stream, so a body of 150 MB does not grow the server with it.</summary>
[Collection(ServerProcessCollection.Name)]
public sealed class LargeJsonJobTests
{
    private const string Token = "large-json-admin-token-0123456789";

    /// <summary>
    /// <c>{"name":…,"records":[…],"channels":[…]}</c> written as it is sent: the records first, the channels after them,
    /// each record padded with a field jobs ignore.
    /// </summary>
    private sealed class RecordsBody(int records, int padding) : HttpContent
    {
        public long Bytes { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var pad = new string('x', padding);
            async Task Write(string text)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                Bytes += bytes.Length;
                await stream.WriteAsync(bytes);
            }
            await Write("""{"name":"large","records":[""");
            for (var i = 0; i < records; i++)
                await Write((i == 0 ? "" : ",") + $$"""{"email":"person{{i}}@large.io","notes":"{{pad}}"}""");
            await Write("""],"channels":["signals"]}""");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_150_MB_json_job_body_of_10_000_records_is_accepted_with_the_server_growing_less_than_50_MB()
    {
        await using var server = await ServerProcess.StartAsync("Production", configFile: new
        {
            Tributary = new
            {
                AdminToken = Token,
                Verification = new { CheckMx = false },
                // No provider serves the channel, so the job reserves nothing and its records finish at once.
                Providers = new { },
                Waterfall = new { },
                // Claimed rarely, so that what is measured is the reading of the body, not the running of the job.
                Jobs = new { Workers = 1, PollIntervalMs = 60_000 },
            },
        });
        using var admin = server.Client(Token);
        var workspace = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "large" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys",
            new { permissions = new[] { "write:enrich", "read:enrich" } })).ShouldBeOk(201)).GetProperty("key").GetString()!;
        using var client = server.Client(key);
        client.Timeout = TimeSpan.FromMinutes(5);

        // Measured from a server that has run no job yet: what the first job costs once (code compiled, pools filled) counts too.
        var before = server.MemoryMb("VmRSS");

        var body = new RecordsBody(10_000, 15_000) { Headers = { ContentType = new("application/json") } };
        HttpResponseMessage response;
        try { response = await client.PostAsync("/v1/jobs", body); }
        catch (HttpRequestException e) { throw new InvalidOperationException($"the server closed the connection; its log:\n{server.Output}", e); }
        var accepted = await response.ShouldBeOk(202, server.Output);
        body.Bytes.ShouldBeGreaterThan(150L * 1000 * 1000);
        accepted.GetProperty("data").GetProperty("total").GetInt64().ShouldBe(10_000);
        var peak = server.MemoryMb("VmHWM");
        (peak - before).ShouldBeLessThan(50, $"peak RSS {peak} MB against {before} MB before the body");
    }
}
