using System.Globalization;
using Tributary.Core;
using Tributary.Core.Webhooks;

namespace Tributary.Server.Configuration;

/// <summary>Reads and checks <c>Tributary:Webhooks</c> (DESIGN §12); every error names its key.</summary>
public static class WebhookSettings
{
    public static WebhookOptions Read(IConfiguration config)
    {
        var section = config.GetSection(WebhookOptions.Section);
        var defaults = new WebhookOptions();
        var options = new WebhookOptions
        {
            RetryDelaysSeconds = ReadDelays(section) ?? defaults.RetryDelaysSeconds,
            TimeoutSeconds = Int(section, "TimeoutSeconds") ?? defaults.TimeoutSeconds,
            AllowPrivateNetworks = Bool(section, "AllowPrivateNetworks") ?? defaults.AllowPrivateNetworks,
            PollIntervalMs = Int(section, "PollIntervalMs") ?? defaults.PollIntervalMs,
        };
        var errors = options.Validate();
        if (errors.Count > 0) throw new ConfigurationException(string.Join("; ", errors));
        return options;
    }

    // A JSON array (RetryDelaysSeconds:0, :1, …) or one comma-separated value, handy in an environment variable.
    // The binder is not used: it would append configured entries to the default list instead of replacing it.
    private static List<int>? ReadDelays(IConfigurationSection section)
    {
        var key = $"{WebhookOptions.Section}:RetryDelaysSeconds";
        var delays = section.GetSection("RetryDelaysSeconds");
        var children = delays.GetChildren().ToList();
        if (children.Count > 0)
        {
            var ordered = children.Select(c => (Index: int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1, c))
                .OrderBy(x => x.Index).ToList();
            if (ordered.Any(x => x.Index < 0) || ordered.Select(x => x.Index).Where((index, position) => index != position).Any())
                throw new ConfigurationException($"{key} must be a list of whole numbers of seconds");
            return ordered.Select(x => ParseInt($"{key}:{x.Index}", x.c.Value)).ToList();
        }
        if (delays.Value is null) return null;
        return delays.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(v => ParseInt(key, v)).ToList();
    }

    private static int? Int(IConfigurationSection section, string name) =>
        section[name] is { } raw ? ParseInt($"{WebhookOptions.Section}:{name}", raw) : null;

    private static bool? Bool(IConfigurationSection section, string name) =>
        section[name] is not { } raw ? null
        : bool.TryParse(raw.Trim(), out var b) ? b
        : throw new ConfigurationException($"{WebhookOptions.Section}:{name} must be true or false, not '{raw}'");

    private static int ParseInt(string key, string? value) =>
        int.TryParse(value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ConfigurationException($"{key} must be a whole number, not '{value}'");
}
