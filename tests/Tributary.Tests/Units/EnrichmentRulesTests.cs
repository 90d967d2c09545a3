using System.Text.Json;
using Tributary.Core.Enrichment;

namespace Tributary.Tests.Units;

public sealed class EnrichmentRulesTests
{
    private static Dictionary<string, JsonElement> Known(params (string Name, object Value)[] values) =>
        values.ToDictionary(v => v.Name, v => JsonSerializer.SerializeToElement(v.Value));

    [Theory]
    [InlineData("email")]
    [InlineData("linkedin_url")]
    [InlineData("x_handle")]
    [InlineData("github_username")]
    public void One_single_hint_identifies_a_person(string hint) =>
        EnrichmentRules.HasIdentityHint(Known((hint, "value"))).ShouldBeTrue();

    [Fact]
    public void A_name_needs_its_company_domain_and_blank_or_non_text_values_count_for_nothing()
    {
        EnrichmentRules.HasIdentityHint(Known(("first_name", "Jane"), ("last_name", "Doe"))).ShouldBeFalse();
        EnrichmentRules.HasIdentityHint(Known(("first_name", "Jane"), ("last_name", "Doe"), ("company_domain", "acme.com"))).ShouldBeTrue();
        EnrichmentRules.HasIdentityHint(Known(("email", "  "), ("company_name", "Acme"))).ShouldBeFalse();
        EnrichmentRules.HasIdentityHint(Known(("email", 42))).ShouldBeFalse();
        EnrichmentRules.CanDiscover(Known(("first_name", "Jane"), ("last_name", "Doe"), ("company_domain", "acme.com"))).ShouldBeTrue();
        EnrichmentRules.CanDiscover(Known(("email", "jane@acme.com"))).ShouldBeFalse();
    }

    [Fact]
    public void Channels_are_checked_against_the_one_namespace()
    {
        EnrichmentRules.UnknownPersonChannels(["work_email", "industry", "fax"]).ShouldBe(["industry", "fax"]);
        EnrichmentRules.UnknownChannels(["work_email", "industry", "fax"]).ShouldBe(["fax"]);
        EnrichmentRules.DefaultPersonChannels.ShouldBe(["work_email", "personal_email", "phone", "linkedin_url"]);
    }
}
