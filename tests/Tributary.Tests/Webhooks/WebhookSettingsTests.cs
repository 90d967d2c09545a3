using Microsoft.Extensions.Configuration;
using Tributary.Core;
using Tributary.Core.Webhooks;
using Tributary.Server.Configuration;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Webhooks;

/// <summary><c>Tributary:Webhooks</c>: defaults of DESIGN §12, and bad values refused naming their key.</summary>
public sealed class WebhookSettingsTests
{
    private static WebhookOptions Read(params (string Key, string Value)[] values) =>
        WebhookSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Tributary:Webhooks:" + v.Key, v.Value)))
            .Build());

    [Fact]
    public void Defaults_follow_the_configuration_reference()
    {
        var options = Read();
        options.RetryDelaysSeconds.ShouldBe([10, 60, 300, 1800, 7200, 21600]);
        (options.MaxAttempts, options.TimeoutSeconds, options.AllowPrivateNetworks, options.PollIntervalMs).ShouldBe((7, 10, false, 500));
    }

    [Fact]
    public void Configured_retry_delays_replace_the_defaults()
    {
        Read(("RetryDelaysSeconds:0", "1"), ("RetryDelaysSeconds:1", "2"), ("RetryDelaysSeconds:2", "3"), ("RetryDelaysSeconds:3", "4"),
                ("RetryDelaysSeconds:4", "5"))
            .RetryDelaysSeconds.ShouldBe([1, 2, 3, 4, 5]);
        Read(("RetryDelaysSeconds", "0, 0, 0, 0, 0, 0, 60")).RetryDelaysSeconds.ShouldBe([0, 0, 0, 0, 0, 0, 60]);
        Read(("AllowPrivateNetworks", "True"), ("TimeoutSeconds", "3")).ShouldSatisfyAllConditions(
            o => o.AllowPrivateNetworks.ShouldBeTrue(), o => o.TimeoutSeconds.ShouldBe(3));
    }

    [Theory]
    [InlineData("TimeoutSeconds", "0", "Tributary:Webhooks:TimeoutSeconds")]
    [InlineData("TimeoutSeconds", "ten", "Tributary:Webhooks:TimeoutSeconds")]
    [InlineData("AllowPrivateNetworks", "maybe", "Tributary:Webhooks:AllowPrivateNetworks")]
    [InlineData("PollIntervalMs", "0", "Tributary:Webhooks:PollIntervalMs")]
    [InlineData("RetryDelaysSeconds", "10,60", "Tributary:Webhooks:RetryDelaysSeconds")]
    [InlineData("RetryDelaysSeconds", "10,60,-1,1,1", "Tributary:Webhooks:RetryDelaysSeconds:2")]
    [InlineData("RetryDelaysSeconds", "10,soon,1,1,1", "Tributary:Webhooks:RetryDelaysSeconds")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value, string named)
    {
        var error = Should.Throw<ConfigurationException>(() => Read((key, value)));
        error.Message.ShouldContain(named);
    }

    [Fact]
    public async Task A_bad_webhooks_value_stops_the_server_process_naming_the_key()
    {
        await using var server = await ServerProcess.StartAsync("Production",
            env: new Dictionary<string, string> { ["Tributary__Webhooks__TimeoutSeconds"] = "0" }, waitHealthy: false);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        exit.ShouldNotBe(0);
        server.Output.ShouldContain("Tributary:Webhooks:TimeoutSeconds");
        server.Output.ShouldNotContain("   at ");
    }
}
