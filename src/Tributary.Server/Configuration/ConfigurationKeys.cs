using System.Collections;
using System.Reflection;
using Tributary.Core;
using Tributary.Core.Credits;
using Tributary.Core.Jobs;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Verification;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Webhooks;

namespace Tributary.Server.Configuration;

/// <summary>
/// Every key the <c>Tributary</c> section may hold (DESIGN §12), derived from the options classes it is bound to, so
/// that a typo such as <c>Waterfal</c> stops the start-up with the key and the nearest known one instead of being
/// ignored (a misspelt section once started Production with no providers and answered every request with a free null).
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>One level of known keys: named children, or any name (a provider's, a header's, a list index).</summary>
    private sealed class Node(Dictionary<string, Node>? children = null, Node? anyChild = null)
    {
        public Dictionary<string, Node>? Children { get; } = children;
        public Node? AnyChild { get; } = anyChild;
        public bool IsLeaf => Children is null && AnyChild is null;
    }

    private static readonly Node Leaf = new();

    private static readonly Lazy<Node> Root = new(() =>
    {
        var channels = Channels.Person.Concat(Channels.Company).ToList();
        var stringList = new Node(anyChild: Leaf);
        var provider = Of(typeof(ProviderDefinition));
        var verification = Of(typeof(VerificationOptions));
        verification.Children!["Providers"] = stringList;
        verification.Children["CatchAll"] = Leaf;
        return new Node(new Dictionary<string, Node>(StringComparer.OrdinalIgnoreCase)
        {
            ["AdminToken"] = Leaf, ["SyncDeadlineMs"] = Leaf, ["PublicBaseUrl"] = Leaf, ["ShutdownTimeoutSeconds"] = Leaf,
            ["Limits"] = Of(typeof(LimitsOptions)),
            ["Database"] = Of(typeof(DatabaseOptions)),
            ["Providers"] = new Node(anyChild: provider),
            ["Waterfall"] = new Node(channels.ToDictionary(c => c, _ => stringList, StringComparer.OrdinalIgnoreCase)),
            ["Pricing"] = new Node(channels.Concat(["Profile", "Account", "DiscoverMultiplier"])
                .ToDictionary(c => c, _ => Leaf, StringComparer.OrdinalIgnoreCase)),
            ["Cache"] = Of(typeof(CacheOptions)),
            ["Credits"] = Of(typeof(CreditOptions)),
            ["Jobs"] = Of(typeof(JobOptions)),
            ["RateLimits"] = Of(typeof(RateLimitOptions)),
            ["Webhooks"] = Of(typeof(WebhookOptions)),
            ["Verification"] = verification,
            ["Retention"] = new Node(new Dictionary<string, Node>(StringComparer.OrdinalIgnoreCase) { ["JobResultsDays"] = Leaf, ["TraceDays"] = Leaf }),
        });
    });

    /// <summary>Throws a <see cref="ConfigurationException"/> naming the first unknown key under <c>Tributary</c>.</summary>
    public static void ThrowOnUnknown(IConfiguration configuration)
    {
        if (FirstUnknown(configuration.GetSection(TributaryOptions.Section), Root.Value) is { } unknown)
            throw new ConfigurationException(unknown);
    }

    private static string? FirstUnknown(IConfigurationSection section, Node node)
    {
        foreach (var child in section.GetChildren())
        {
            Node? known = null;
            if (node.Children is { } named) named.TryGetValue(child.Key, out known);
            known ??= node.AnyChild;
            if (known is null)
            {
                var nearest = node.Children?.Keys.MinBy(k => Distance(k, child.Key));
                return nearest is not null && Distance(nearest, child.Key) <= Math.Max(2, child.Key.Length / 3)
                    ? $"unknown key {child.Path}; did you mean {section.Path}:{nearest}?"
                    : $"unknown key {child.Path}; known keys here: {string.Join(", ", (IEnumerable<string>?)node.Children?.Keys ?? [])}";
            }
            if (known.IsLeaf)
            {
                if (child.GetChildren().Any()) return $"{child.Path} takes a single value, not a section";
                continue;
            }
            if (FirstUnknown(child, known) is { } deeper) return deeper;
        }
        return null;
    }

    /// <summary>The keys of an options class: its settable public properties, lists by index, dictionaries by any name.</summary>
    private static Node Of(Type type)
    {
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(TimeSpan)
            || Nullable.GetUnderlyingType(type) is not null)
            return Leaf;
        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null) return new Node(anyChild: Of(dictionary.GetGenericArguments()[1]));
        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().FirstOrDefault() ?? typeof(string);
            return new Node(anyChild: Of(element));
        }
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });
        return new Node(properties.ToDictionary(p => p.Name, p => Of(p.PropertyType), StringComparer.OrdinalIgnoreCase));
    }

    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
