using Tributary.Core.Storage;

namespace Tributary.Tests.Infrastructure;

/// <summary>The server configured with fake http providers on loopback and a waterfall over them.</summary>
public abstract class WaterfallApp : TributaryApp
{
    protected WaterfallApp(DatabaseProvider provider, Dictionary<string, FakeProviderSpec> specs, Dictionary<string, string[]> waterfall,
        IDictionary<string, object>? extra = null) : base(provider)
    {
        Fakes = new FakeProviders(specs);
        var settings = Fakes.Settings(extra);
        foreach (var (channel, names) in waterfall)
            for (var i = 0; i < names.Length; i++) settings[$"Tributary:Waterfall:{channel}:{i}"] = names[i];
        _settings = settings;
    }

    private readonly Dictionary<string, string?> _settings;

    public FakeProviders Fakes { get; }

    protected override IDictionary<string, string?> Settings => _settings;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}
