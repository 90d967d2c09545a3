using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Tributary.Core;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
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
    /// <summary>
    /// One level of known keys: named children, or any name (a provider's, a header's, a list index); a leaf may know the
    /// type its value must convert to.
    /// </summary>
    private sealed class Node(Dictionary<string, Node>? children = null, Node? anyChild = null, Type? valueType = null)
    {
        public Dictionary<string, Node>? Children { get; } = children;
        public Node? AnyChild { get; } = anyChild;
        public Type? ValueType { get; } = valueType;
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
        verification.Children["CatchAll"] = new Node(valueType: typeof(CatchAllPolicy));
        var root = Of(typeof(TributaryOptions)).Children!;
        root["Providers"] = new Node(anyChild: provider);
        root["Waterfall"] = new Node(channels.ToDictionary(c => c, _ => stringList, StringComparer.OrdinalIgnoreCase));
        root["Verification"] = verification;
        foreach (var type in new[] { typeof(DatabaseOptions), typeof(Pricing), typeof(CacheOptions), typeof(CreditOptions), typeof(JobOptions),
                     typeof(RateLimitOptions), typeof(WebhookOptions), typeof(Tributary.Core.Erasure.RetentionOptions) })
            root[SectionOf(type)] = Of(type);
        return new Node(root);
    });

    /// <summary>The key under <c>Tributary</c> an options class is bound to: <c>Tributary:Jobs</c> → <c>Jobs</c>.</summary>
    private static string SectionOf(Type type)
    {
        var section = (string)type.GetProperty(nameof(IValidatedOptions.Section), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return section[(TributaryOptions.Section.Length + 1)..];
    }

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
                if (known.ValueType is { } type && !string.IsNullOrEmpty(child.Value) && !Converts(child.Value, type))
                    return $"{child.Path} must be {Describe(type)}, not '{child.Value}'";
                continue;
            }
            if (!string.IsNullOrEmpty(child.Value))
                return known.AnyChild is not null && known.Children is null
                    ? $"{child.Path} takes a list or a section ({child.Path}:0, {child.Path}:1, … in environment variables), not the single value '{child.Value}'"
                    : $"{child.Path} is a section, not a single value";
            if (FirstUnknown(child, known) is { } deeper) return deeper;
        }
        return null;
    }

    /// <summary>The keys of an options class: its settable public properties, lists by index, dictionaries by any name.</summary>
    private static Node Of(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Of(underlying);
        if (type == typeof(string)) return Leaf;
        if (type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(TimeSpan)) return new Node(valueType: type);
        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null) return new Node(anyChild: Of(dictionary.GetGenericArguments()[1]));
        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().FirstOrDefault() ?? typeof(string);
            return new Node(anyChild: Of(element));
        }
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });
        return new Node(properties.ToDictionary(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, p => Of(p.PropertyType),
            StringComparer.OrdinalIgnoreCase));
    }

    // The binder converts with the invariant culture and, inside lists, skips a value it cannot convert without a word.
    private static bool Converts(string value, Type type)
    {
        if (type.IsEnum) return Enum.TryParse(type, value, ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed!);
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) =>
        type == typeof(bool) ? "true or false"
        : type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
        : type == typeof(int) ? $"a whole number from {int.MinValue} to {int.MaxValue}"
        : type == typeof(long) ? "a whole number"
        : type == typeof(double) || type == typeof(decimal) ? "a number"
        : $"a {type.Name}";

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
