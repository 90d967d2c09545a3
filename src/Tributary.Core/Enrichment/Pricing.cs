using Tributary.Core.Waterfall;

namespace Tributary.Core.Enrichment;

/// <summary>
/// Credits per found channel (DESIGN §6.1): each channel once however many values it returns; the profile channels
/// together once per record; the company channels together once per company; discover runs multiplied.
/// </summary>
public sealed class Pricing
{
    public Dictionary<string, int> Channels { get; init; } = new(StringComparer.Ordinal)
    {
        [Tributary.Core.Waterfall.Channels.WorkEmail] = 1,
        [Tributary.Core.Waterfall.Channels.PersonalEmail] = 3,
        [Tributary.Core.Waterfall.Channels.Phone] = 10,
        [Tributary.Core.Waterfall.Channels.LinkedinUrl] = 1,
        [Tributary.Core.Waterfall.Channels.Signals] = 1,
    };

    public int Profile { get; set; } = 1;
    public int Account { get; set; } = 1;
    public double DiscoverMultiplier { get; set; } = 2;

    public long PriceOf(IEnumerable<string> channels, bool discover = false)
    {
        var list = channels.Distinct().ToList();
        long price = list.Where(c => !Waterfall.Channels.Profile.Contains(c) && !Waterfall.Channels.IsCompany(c))
            .Sum(c => (long)Channels.GetValueOrDefault(c));
        if (list.Any(Waterfall.Channels.Profile.Contains)) price += Profile;
        if (list.Any(Waterfall.Channels.IsCompany)) price += Account;
        return discover ? (long)Math.Ceiling(price * DiscoverMultiplier) : price;
    }

    public IEnumerable<string> Validate()
    {
        foreach (var (channel, credits) in Channels)
        {
            if (!Waterfall.Channels.IsKnown(channel)) yield return $"Tributary:Pricing:{channel} is not a known channel";
            if (credits < 0) yield return $"Tributary:Pricing:{channel} must not be negative";
        }
        if (Profile < 0) yield return "Tributary:Pricing:Profile must not be negative";
        if (Account < 0) yield return "Tributary:Pricing:Account must not be negative";
        if (DiscoverMultiplier < 1) yield return "Tributary:Pricing:DiscoverMultiplier must be at least 1";
    }
}
