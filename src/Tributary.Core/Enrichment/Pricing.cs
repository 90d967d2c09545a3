using Microsoft.Extensions.Configuration;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Enrichment;

/// <summary>
/// Credits per found channel (DESIGN §6.1): each channel once however many values it returns; the profile channels
/// together once per record; the company channels together once per company; discover runs multiplied.
/// </summary>
public sealed class Pricing : IValidatedOptions
{
    public static string Section => "Tributary:Pricing";

    [ConfigurationKeyName(Waterfall.Channels.WorkEmail)] public int WorkEmail { get; set; } = 1;
    [ConfigurationKeyName(Waterfall.Channels.PersonalEmail)] public int PersonalEmail { get; set; } = 3;
    [ConfigurationKeyName(Waterfall.Channels.Phone)] public int Phone { get; set; } = 10;
    [ConfigurationKeyName(Waterfall.Channels.LinkedinUrl)] public int LinkedinUrl { get; set; } = 1;
    [ConfigurationKeyName(Waterfall.Channels.Signals)] public int Signals { get; set; } = 1;

    public int Profile { get; set; } = 1;
    public int Account { get; set; } = 1;
    public double DiscoverMultiplier { get; set; } = 2;

    /// <summary>The price of a channel priced on its own; 0 for the profile and company channels, priced as groups.</summary>
    public int Of(string channel) => channel switch
    {
        Waterfall.Channels.WorkEmail => WorkEmail,
        Waterfall.Channels.PersonalEmail => PersonalEmail,
        Waterfall.Channels.Phone => Phone,
        Waterfall.Channels.LinkedinUrl => LinkedinUrl,
        Waterfall.Channels.Signals => Signals,
        _ => 0,
    };

    public long PriceOf(IEnumerable<string> channels, bool discover = false)
    {
        var list = channels.Distinct().ToList();
        long price = list.Sum(c => (long)Of(c));
        if (list.Any(Waterfall.Channels.Profile.Contains)) price += Profile;
        if (list.Any(Waterfall.Channels.IsCompany)) price += Account;
        return discover ? (long)Math.Ceiling(price * DiscoverMultiplier) : price;
    }

    public IEnumerable<string> Validate()
    {
        foreach (var (key, credits) in new[]
                 {
                     (Waterfall.Channels.WorkEmail, WorkEmail), (Waterfall.Channels.PersonalEmail, PersonalEmail), (Waterfall.Channels.Phone, Phone),
                     (Waterfall.Channels.LinkedinUrl, LinkedinUrl), (Waterfall.Channels.Signals, Signals), (nameof(Profile), Profile), (nameof(Account), Account),
                 })
            if (credits is < 0 or > 1_000_000) yield return $"{Section}:{key} must be from 0 to 1000000";
        if (DiscoverMultiplier is < 1 or > 100 || double.IsNaN(DiscoverMultiplier)) yield return $"{Section}:DiscoverMultiplier must be from 1 to 100";
    }
}
