using System.Net;
using Tributary.Core.Webhooks;

namespace Tributary.Tests.Webhooks;

/// <summary>The SSRF rules of DESIGN §8, at submission and at delivery.</summary>
public sealed class WebhookTargetGuardTests
{
    private static readonly WebhookTargetGuard Guarded = new(new WebhookOptions());
    private static readonly WebhookTargetGuard Open = new(new WebhookOptions { AllowPrivateNetworks = true });

    [Theory]
    [InlineData("http://127.0.0.1/hook", "loopback")]
    [InlineData("http://127.8.9.10:8080/hook", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("http://169.254.10.1/", "link-local")]
    [InlineData("http://[::1]/", "loopback")]
    [InlineData("http://[::1]:9000/hook", "loopback")]
    [InlineData("http://10.1.2.3/", "private")]
    [InlineData("https://172.16.0.1/", "private")]
    [InlineData("https://172.31.255.254/", "private")]
    [InlineData("http://192.168.1.20/", "private")]
    [InlineData("http://100.64.0.1/", "carrier-grade NAT")]
    [InlineData("http://100.127.255.1/", "carrier-grade NAT")]
    [InlineData("http://0.0.0.0/", "this-network")]
    [InlineData("http://[fe80::1]/", "link-local")]
    [InlineData("http://[fc00::1]/", "unique-local")]
    [InlineData("http://[fd12:3456::1]/", "unique-local")]
    [InlineData("http://[fd00:ec2::254]/", "metadata")]
    [InlineData("http://[::ffff:127.0.0.1]/", "loopback")]
    [InlineData("http://[::ffff:169.254.169.254]/", "metadata")]
    [InlineData("http://[::ffff:10.0.0.1]/", "private")]
    [InlineData("http://[64:ff9b::a00:1]/", "private")]
    [InlineData("http://224.0.0.1/", "multicast")]
    // Other spellings of 127.0.0.1 that URL parsers accept.
    [InlineData("http://2130706433/", "loopback")]
    [InlineData("http://0x7f000001/", "loopback")]
    [InlineData("http://127.1/", "loopback")]
    [InlineData("http://0177.0.0.1/", "loopback")]
    [InlineData("http://[::ffff:7f00:1]/", "loopback")]
    public void Private_ip_literals_are_refused_at_submission(string url, string range)
    {
        var reason = Guarded.CheckSubmission(url, out var target);
        reason.ShouldNotBeNull();
        reason.ShouldContain(range);
        target.ShouldBeNull();

        Open.CheckSubmission(url, out var allowed).ShouldBeNull();
        allowed.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("https://hooks.example.com/tributary")]
    [InlineData("http://8.8.8.8/hook")]
    [InlineData("http://172.32.0.1/")]
    [InlineData("http://100.128.0.1/")]
    [InlineData("http://192.169.0.1/")]
    [InlineData("http://[2001:4860:4860::8888]/hook")]
    [InlineData("http://localhost:9000/hook")] // a name: checked when it is resolved, at delivery
    public void Public_addresses_and_host_names_pass_submission(string url)
    {
        Guarded.CheckSubmission(url, out var target).ShouldBeNull();
        target!.AbsoluteUri.ShouldStartWith(url.TrimEnd('/'));
    }

    [Theory]
    [InlineData("ftp://hooks.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("hooks.example.com/path")]
    [InlineData("/relative")]
    [InlineData("")]
    [InlineData(null)]
    public void Only_absolute_http_urls_are_targets_even_with_private_networks_allowed(string? url)
    {
        Guarded.CheckSubmission(url, out _).ShouldBe("must be an absolute http(s) URL");
        Open.CheckSubmission(url, out _).ShouldBe("must be an absolute http(s) URL");
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("172.15.255.255", false)]
    [InlineData("172.16.0.0", true)]
    [InlineData("100.63.255.255", false)]
    [InlineData("100.64.0.0", true)]
    [InlineData("100.128.0.0", false)]
    [InlineData("169.254.169.254", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("fe80::abcd%2", true)]
    [InlineData("febf::1", true)]
    [InlineData("fec0::1", true)]
    [InlineData("fbff::1", false)]
    [InlineData("2606:4700:4700::1111", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("::ffff:192.168.0.1", true)]
    public void Address_ranges(string address, bool forbidden) =>
        (WebhookTargetGuard.Forbidden(IPAddress.Parse(address)) is not null).ShouldBe(forbidden);

    [Fact]
    public async Task A_host_name_resolving_to_loopback_is_refused_at_delivery_unless_private_networks_are_allowed()
    {
        var target = new Uri("http://localhost:8080/hook");
        var refused = (await Guarded.ResolveAsync(target, CancellationToken.None)).ShouldBeOfType<TargetCheck.Refused>();
        refused.Reason.ShouldContain("localhost resolves to");
        refused.Reason.ShouldContain("loopback");

        var allowed = (await Open.ResolveAsync(target, CancellationToken.None)).ShouldBeOfType<TargetCheck.Allowed>();
        allowed.Addresses.ShouldContain(a => IPAddress.IsLoopback(a));
    }

    [Fact]
    public async Task An_unknown_host_name_is_a_network_error_not_a_refusal()
    {
        var check = await Guarded.ResolveAsync(new Uri("http://no-such-host.invalid/hook"), CancellationToken.None);
        check.ShouldBeOfType<TargetCheck.Unresolved>().Error.ShouldContain("no-such-host.invalid");
    }

    [Fact]
    public async Task The_connection_goes_to_the_checked_addresses_never_to_a_fresh_dns_answer()
    {
        await using var receiver = WebhookReceiver.Answering();
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = WebhookTargetGuard.ConnectAsync, UseProxy = false });

        // The name does not resolve at all: only the checked address can have been used.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://rebound.invalid:{receiver.Port}/hook") { Content = new StringContent("{}") };
        request.Options.Set(WebhookTargetGuard.CheckedAddresses, [IPAddress.IPv6Loopback, IPAddress.Loopback]);
        (await client.SendAsync(request)).IsSuccessStatusCode.ShouldBeTrue();
        receiver.Received.Single().Headers["host"].ShouldBe($"rebound.invalid:{receiver.Port}");

        using var unchecked_ = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new StringContent("{}") };
        var error = await Should.ThrowAsync<HttpRequestException>(() => client.SendAsync(unchecked_));
        error.InnerException.ShouldBeOfType<InvalidOperationException>();
        receiver.Received.Count.ShouldBe(1);
    }
}
