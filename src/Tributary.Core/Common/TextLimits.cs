namespace Tributary.Core.Common;

/// <summary>
/// What a text value may be (DESIGN §9): no NUL character, no lone surrogate, and at most 320 characters for an email,
/// 2,048 for a URL, 4,096 for anything else. The JSON edge refuses a request that breaks them; a job fails the row.
/// </summary>
public static class TextLimits
{
    public const int MaxEmail = 320, MaxUrl = 2048, MaxString = 4096;

    /// <summary>The longest value a field may hold, by its name: emails, then URLs, then any other string.</summary>
    public static int LimitOf(string field) =>
        field.Contains("email", StringComparison.OrdinalIgnoreCase) ? MaxEmail
        : field.EndsWith("url", StringComparison.OrdinalIgnoreCase) || field.Equals("website", StringComparison.OrdinalIgnoreCase) ? MaxUrl
        : MaxString;

    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    /// <summary>What is wrong with <paramref name="field"/>'s value, in words, or null when nothing is.</summary>
    public static string? Problem(string field, string value) =>
        value.Contains('\0') ? $"'{field}' has a NUL character"
        : HasLoneSurrogate(value) ? $"'{field}' has a lone surrogate (text that is not valid Unicode)"
        : value.Length > LimitOf(field) ? $"'{field}' is longer than {LimitOf(field)} characters"
        : null;
}
