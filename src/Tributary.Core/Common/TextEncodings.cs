using System.Text;

namespace Tributary.Core.Common;

/// <summary>
/// The encodings a CSV or JSONL upload may declare (DESIGN §9): UTF-8, with or without a byte order mark, is assumed;
/// windows-1252, iso-8859-1 and utf-16 (spreadsheet exports) are transcoded while the body streams.
/// </summary>
public static class TextEncodings
{
    static TextEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static readonly IReadOnlyList<string> Accepted = ["utf-8", "windows-1252", "iso-8859-1", "utf-16"];

    /// <summary>
    /// The encoding a <c>charset</c> names: null for none or UTF-8 (a byte order mark still decides), false for one
    /// Tributary does not read.
    /// </summary>
    public static bool TryFromCharset(string? charset, out Encoding? encoding)
    {
        encoding = null;
        switch (charset?.Trim().Trim('"').ToLowerInvariant())
        {
            case null or "" or "utf-8" or "utf8": return true;
            case "windows-1252" or "cp1252" or "x-cp1252": encoding = Encoding.GetEncoding(1252); return true;
            case "iso-8859-1" or "latin1" or "iso_8859-1" or "l1": encoding = Encoding.Latin1; return true;
            case "utf-16" or "utf-16le" or "utf16": encoding = Encoding.Unicode; return true;
            case "utf-16be": encoding = Encoding.BigEndianUnicode; return true;
            default: return false;
        }
    }
}
