using PhoneNumbers;

namespace Tributary.Core.Providers.Phones;

public sealed record NormalizedPhone(string E164, string Country, string Type);

/// <summary>E.164 normalisation with libphonenumber; numbers that do not parse as valid are left as given.</summary>
public static class PhoneNormalizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static NormalizedPhone? TryNormalize(string? raw, IReadOnlyList<string>? defaultCountries = null)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var regions = defaultCountries is { Count: > 0 } ? defaultCountries : ["US"];
        foreach (var region in raw.TrimStart().StartsWith('+') ? regions.Take(1) : regions)
        {
            try
            {
                var number = Util.Parse(raw, region.ToUpperInvariant());
                if (!Util.IsValidNumber(number)) continue;
                return new NormalizedPhone(
                    Util.Format(number, PhoneNumberFormat.E164),
                    Util.GetRegionCodeForNumber(number) ?? region,
                    TypeName(Util.GetNumberType(number)));
            }
            catch (NumberParseException)
            {
            }
        }
        return null;
    }

    public static string NormalizeOrKeep(string raw, IReadOnlyList<string>? defaultCountries = null) =>
        TryNormalize(raw, defaultCountries)?.E164 ?? raw.Trim();

    public static bool IsKnownRegion(string code) => Util.GetSupportedRegions().Contains(code.ToUpperInvariant());

    private static string TypeName(PhoneNumberType type) => type switch
    {
        PhoneNumberType.MOBILE => "mobile",
        PhoneNumberType.FIXED_LINE => "landline",
        PhoneNumberType.FIXED_LINE_OR_MOBILE => "fixed_line_or_mobile",
        PhoneNumberType.TOLL_FREE => "toll_free",
        PhoneNumberType.VOIP => "voip",
        _ => "unknown",
    };
}
