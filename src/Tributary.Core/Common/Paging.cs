using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Tributary.Core.Common;

public sealed record PageRequest(int Page = 1, int PerPage = 25, string? Cursor = null)
{
    public const int MaxPerPage = 100;
}

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PerPage, long Total, string? NextCursor);

/// <summary>Opaque keyset position (created_at, seq), so deep pages cost the same as the first.</summary>
public readonly record struct Cursor(DateTime CreatedAt, long Seq)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{CreatedAt.Ticks}:{Seq}"));

    public static bool TryDecode(string value, out Cursor cursor)
    {
        cursor = default;
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(value));
            var parts = text.Split(':');
            if (parts.Length != 2
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
                return false;
            cursor = new Cursor(new DateTime(ticks, DateTimeKind.Utc), seq);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
