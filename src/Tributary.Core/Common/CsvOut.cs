using System.Text;
using System.Text.RegularExpressions;

namespace Tributary.Core.Common;

/// <summary>
/// Writes CSV cells Tributary hands out (DESIGN §9): RFC 4180 quoting, and formula injection neutralised — a cell
/// starting with =, +, -, @, tab or carriage return gets a leading ' unless it is a number or an E.164 phone.
/// </summary>
public static partial class CsvOut
{
    public static string Neutralize(string cell)
    {
        if (cell.Length == 0 || cell[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r')) return cell;
        if (Number().IsMatch(cell) || E164().IsMatch(cell)) return cell;
        return "'" + cell;
    }

    public static string Cell(string? value)
    {
        var v = Neutralize(value ?? "");
        return v.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
    }

    public static string Row(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell));

    public static void AppendRow(StringBuilder sb, IEnumerable<string?> cells) => sb.Append(Row(cells)).Append("\r\n");

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")]
    private static partial Regex Number();

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();
}
