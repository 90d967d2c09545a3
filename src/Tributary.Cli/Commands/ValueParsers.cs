using System.Globalization;
using System.CommandLine.Parsing;

namespace Tributary.Cli.Commands;

/// <summary>Parsers that turn a bad value into a usage error naming what was expected.</summary>
internal static class ValueParsers
{
    public static Guid ParseId(ArgumentResult result, string what)
    {
        var text = SingleToken(result);
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        result.AddError($"'{text}' is not a valid {what} (expected a UUID)");
        return default;
    }

    public static DateTimeOffset? ParseTimestamp(ArgumentResult result)
    {
        var text = SingleToken(result);
        if (DateTimeOffset.TryParse(
                text,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var timestamp))
        {
            return timestamp;
        }

        result.AddError($"'{text}' is not an ISO 8601 date and time (for example 2030-01-31T00:00:00Z)");
        return null;
    }

    /// <summary>Accepts <c>a,b</c> as well as the option repeated, and drops empty items.</summary>
    public static IReadOnlyList<string> ParseCommaSeparated(ArgumentResult result) =>
        result.Tokens
            .SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();

    private static string SingleToken(ArgumentResult result) =>
        result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
}
