using Tributary.Core.Common;
using Tributary.Core.Contacts;
using Tributary.Core.Providers.Phones;
using Tributary.Core.Workspaces;

namespace Tributary.Tests.Units;

public sealed class IdentityAndPermissionTests
{
    [Theory]
    [InlineData("https://www.linkedin.com/in/Jane-Doe/", "jane-doe")]
    [InlineData("http://linkedin.com/in/jane-doe?trk=abc", "jane-doe")]
    [InlineData("linkedin.com/in/jane-doe#about", "jane-doe")]
    [InlineData("https://uk.linkedin.com/in/jane-doe/details", "jane-doe")]
    [InlineData("  ", null)]
    public void LinkedIn_slug_ignores_scheme_www_query_and_trailing_slash(string url, string? slug) =>
        Identity.LinkedinKey(url).ShouldBe(slug);

    [Theory]
    [InlineData("https://www.Acme.com/about", "acme.com")]
    [InlineData("ACME.COM", "acme.com")]
    [InlineData("acme.com:8080", "acme.com")]
    public void Domains_are_normalised(string raw, string domain) => Identity.Domain(raw).ShouldBe(domain);

    [Theory]
    [InlineData("@Jordan_Sales", "jordan_sales")]
    [InlineData("https://x.com/jordan_sales", "jordan_sales")]
    [InlineData("twitter.com/jordan_sales/", "jordan_sales")]
    public void X_handles_are_normalised(string raw, string key) => Identity.XKey(raw).ShouldBe(key);

    [Fact]
    public void Name_key_needs_first_last_and_domain() =>
        (Identity.NameKey(" Chloe ", "Walker", "www.westmarkrobotics.com"), Identity.NameKey("Chloe", null, "x.com"))
        .ShouldBe(("chloe|walker|westmarkrobotics.com", null));

    [Theory]
    [InlineData("write:contacts", "read:contacts", true)]
    [InlineData("write:enrich", "read:enrich", true)]
    [InlineData("read:contacts", "write:contacts", false)]
    [InlineData("admin:workspace", "read:contacts", false)]
    [InlineData("write:contacts", "read:credits", false)]
    public void Write_implies_read_of_the_same_thing_only(string granted, string required, bool allowed) =>
        Permissions.Allows([granted], required).ShouldBe(allowed);

    [Fact]
    public void Api_key_secrets_are_wbk_and_32_base62_characters()
    {
        var secrets = Enumerable.Range(0, 50).Select(_ => Secrets.NewApiKeySecret()).ToList();
        secrets.ShouldAllBe(s => Secrets.LooksLikeApiKey(s));
        secrets.Distinct().Count().ShouldBe(50);
        Secrets.LooksLikeApiKey("wbk_short").ShouldBeFalse();
        Secrets.NewWebhookSecret().ShouldStartWith("whsec_");
        Convert.FromBase64String(Secrets.NewWebhookSecret()["whsec_".Length..]).Length.ShouldBe(32);
    }

    [Fact]
    public void Cursors_round_trip_and_garbage_is_refused()
    {
        var cursor = new Cursor(new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc), 42);
        Cursor.TryDecode(cursor.Encode(), out var back).ShouldBeTrue();
        back.ShouldBe(cursor);
        Cursor.TryDecode("garbage!", out _).ShouldBeFalse();
        Cursor.TryDecode("MTIzOmFiYw", out _).ShouldBeFalse();
    }

    [Fact]
    public void Phones_become_E164_when_valid_and_stay_as_given_otherwise()
    {
        PhoneNormalizer.NormalizeOrKeep("(415) 555-0111").ShouldBe("+14155550111");
        PhoneNormalizer.NormalizeOrKeep("01 42 68 53 00", ["FR"]).ShouldBe("+33142685300");
        PhoneNormalizer.NormalizeOrKeep("+1-555-0100").ShouldBe("+1-555-0100");
        PhoneNormalizer.TryNormalize("+33 6 12 34 56 78")!.Type.ShouldBe("mobile");
    }

    [Fact]
    public void Phone_filter_uses_the_requested_countries_else_the_workspace_default()
    {
        PhoneFilter.Countries(null, ["FR"]).ShouldBe(["FR"]);
        PhoneFilter.Countries(["us", " gb"], ["FR"]).ShouldBe(["US", "GB"]);
        PhoneFilter.Allows("+14155238841", ["US"]).ShouldBeTrue();
        PhoneFilter.Allows("+14155238841", ["FR", "GB"]).ShouldBeFalse();
        PhoneFilter.Allows("+33612345678", ["FR"]).ShouldBeTrue();
        PhoneFilter.Allows("+33612345678", []).ShouldBeTrue();
        PhoneFilter.Allows("not a phone", ["US"]).ShouldBeFalse();
    }

    [Fact]
    public void Creation_clock_never_repeats()
    {
        var clock = new CreationClock(TimeProvider.System);
        var stamps = Enumerable.Range(0, 10_000).Select(_ => clock.Next()).ToList();
        stamps.Distinct().Count().ShouldBe(10_000);
        stamps.ShouldBe(stamps.OrderBy(s => s).ToList());
        stamps.ShouldAllBe(s => s.Ticks % 10 == 0);
    }
}
