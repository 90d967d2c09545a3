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

    /// <summary>IANA's IPv4 Special-Purpose blocks that are not globally reachable, plus 240/4 and multicast (DESIGN §8).</summary>
    private static readonly string[] ForbiddenV4Blocks =
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/29", "192.0.0.8/32",
        "192.0.0.170/31", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    ];

    private static readonly string[] ForbiddenV6Blocks =
    [
        "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/32", "2001:2::/48", "2001:db8::/32", "2001:10::/28",
        "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "ff00::/8",
    ];

    private static IPAddress RandomIn(string cidr, Random random)
    {
        var (network, bits) = (IPAddress.Parse(cidr.Split('/')[0]).GetAddressBytes(), int.Parse(cidr.Split('/')[1]));
        var bytes = new byte[network.Length];
        random.NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            var mask = (byte)(0xff << (8 - keep));
            bytes[i] = (byte)((network[i] & mask) | (bytes[i] & ~mask));
        }
        return new IPAddress(bytes);
    }

    [Fact]
    public void Every_non_public_block_is_refused_in_every_spelling_and_embedding()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var checkedUrls = 0;
        void Refused(string url)
        {
            checkedUrls++;
            Guarded.CheckSubmission(url, out _).ShouldNotBeNull($"{url} should be refused (seed {seed})");
        }
        foreach (var block in ForbiddenV4Blocks)
            for (var n = 0; n < 20; n++)
            {
                var address = RandomIn(block, random);
                var b = address.GetAddressBytes();
                var number = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
                Refused($"http://{address}/hook");
                Refused($"http://{address}./hook");
                Refused($"http://{number}/hook");
                Refused($"http://0x{number:x}/hook");
                Refused($"http://[::ffff:{address}]/hook");
                Refused($"http://[64:ff9b::{address}]/hook");
                Refused($"http://[2002:{b[0]:x2}{b[1]:x2}:{b[2]:x2}{b[3]:x2}::1]/hook");
            }
        foreach (var block in ForbiddenV6Blocks)
            for (var n = 0; n < 20; n++)
                Refused($"http://[{RandomIn(block, random)}]/hook");
        checkedUrls.ShouldBeGreaterThan(2000);
    }

    [Fact]
    public void Public_addresses_and_their_6to4_forms_pass_submission()
    {
        foreach (var url in new[] { "http://8.8.8.8/", "http://[2002:808:808::1]/", "http://[64:ff9b::808:808]/", "http://192.0.0.9/",
                     "http://[2001:4860:4860::8888]/", "http://[2001:20::1]/", "http://198.20.0.1/", "http://203.0.114.1/" })
            Guarded.CheckSubmission(url, out _).ShouldBeNull(url);
    }

    [Fact]
    public void A_target_is_at_most_2048_characters_and_carries_no_user_info_and_logs_show_neither_query_nor_user_info()
    {
        var longest = "https://hooks.example.com/" + new string('a', WebhookTargetGuard.MaxUrlLength - 26);
        Guarded.CheckSubmission(longest, out _).ShouldBeNull();
        Guarded.CheckSubmission(longest + "a", out _).ShouldBe("must be at most 2048 characters");
        Guarded.CheckSubmission("https://" + new string('x', 300_000) + ".example.com/", out _).ShouldNotBeNull();
        Guarded.CheckSubmission("https://user:pass@hooks.example.com/", out _).ShouldNotBeNull().ShouldContain("user name or password");
        WebhookTargetGuard.ForLogs(new Uri("https://user:pw@hooks.example.com/in/abc?token=s3cret#x")).ShouldBe("https://hooks.example.com/in/abc");
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
