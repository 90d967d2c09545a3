using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Storage;

namespace Tributary.Tests.Vendors;

/// <summary>Verification:Providers in order (DESIGN §5.4): a failed verifier passes the email on, and is skipped once its key is refused.</summary>
public sealed class VerifierOrderTests(VendorFakes fakes) : IClassFixture<VendorFakes>
{
    private static readonly IHttpClientFactory Clients = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    private static EmailVerdicts Verdicts(Dictionary<string, ProviderDefinition> providers, params string[] order)
    {
        var configuration = new EnrichmentConfiguration { Providers = new(providers, StringComparer.OrdinalIgnoreCase), Verifiers = [.. order] };
        configuration.Validate().ShouldBeEmpty();
        var registry = new ProviderRegistry(configuration, new ProviderEnvironment { ContentRoot = ".", IndexDirectory = Path.GetTempPath() }, Clients,
            new TributaryDbFactory(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=:memory:" }),
            new EmailVerifier(new VerificationOptions { CheckMx = false }), TimeProvider.System);
        return new EmailVerdicts(registry, new EmailVerifier(new VerificationOptions { CheckMx = false }));
    }

    [Fact]
    public async Task A_verifier_whose_key_is_refused_passes_the_email_on_and_is_skipped_next_time()
    {
        var verdicts = Verdicts(new()
        {
            ["nb"] = new() { Type = "neverbounce", ApiKey = "refused-key", BaseUrl = fakes.BaseUrl },
            ["zb"] = new() { Type = "zerobounce", ApiKey = VendorFakes.GoodKey, BaseUrl = fakes.BaseUrl },
        }, "nb", "zb");

        var first = await verdicts.DecideAsync(VendorFakes.EmailOf("valid"), null, "pdl", "work_email", CancellationToken.None, CancellationToken.None);
        (first.Status, first.Source).ShouldBe((EmailStatus.Valid, "zb"));
        first.Steps.Select(s => (s.Provider, s.Outcome)).ShouldBe([("nb", "failed"), ("zb", "verified")]);
        first.Steps[0].Detail!.ShouldStartWith("verification: bad key");
        first.Steps[0].Detail!.ShouldNotContain("refused-key");

        var before = fakes.Count("neverbounce");
        var second = await verdicts.DecideAsync(VendorFakes.EmailOf("valid"), null, "pdl", "work_email", CancellationToken.None, CancellationToken.None);
        second.Steps.Select(s => (s.Provider, s.Outcome, s.Detail)).First().ShouldBe(("nb", "skipped", "unhealthy: bad key"));
        fakes.Count("neverbounce").ShouldBe(before);
        second.Status.ShouldBe(EmailStatus.Valid);
    }

    [Fact]
    public async Task A_verifier_that_times_out_leaves_the_email_unknown_never_invalid_and_the_finders_verdict_stands()
    {
        // Accepts connections and never answers, as a verifier stuck on a blocked port 25 would.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var verdicts = Verdicts(new()
            {
                ["reacher"] = new() { Type = "reacher", BaseUrl = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", TimeoutMs = 200, Retries = 0 },
            }, "reacher");

            var unknown = await verdicts.DecideAsync(VendorFakes.EmailOf("valid"), null, "pdl", "work_email", CancellationToken.None, CancellationToken.None);
            unknown.Status.ShouldBe(EmailStatus.Unknown);
            unknown.Steps.ShouldHaveSingleItem().Detail.ShouldBe("verification: timed out after 200 ms");

            var catchAll = await verdicts.DecideAsync(VendorFakes.EmailOf("x"), EmailStatus.CatchAll, "hunter", "work_email", CancellationToken.None, CancellationToken.None);
            (catchAll.Status, catchAll.Source).ShouldBe((EmailStatus.CatchAll, "hunter"));
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task The_shipped_disposable_list_drops_an_address_whatever_a_vendor_says_and_a_finders_valid_needs_no_verifier()
    {
        var verdicts = Verdicts(new() { ["zb"] = new() { Type = "zerobounce", ApiKey = VendorFakes.GoodKey, BaseUrl = fakes.BaseUrl } }, "zb");
        var before = fakes.Count("zerobounce");

        (await verdicts.DecideAsync("someone@mailinator.com", EmailStatus.Valid, "hunter", "work_email", CancellationToken.None, CancellationToken.None))
            .Status.ShouldBe(EmailStatus.Invalid);
        var valid = await verdicts.DecideAsync(VendorFakes.EmailOf("x"), EmailStatus.Valid, "hunter", "work_email", CancellationToken.None, CancellationToken.None);
        (valid.Status, valid.Source, valid.Steps.Count).ShouldBe((EmailStatus.Valid, "hunter", 0));
        fakes.Count("zerobounce").ShouldBe(before);
    }
}
