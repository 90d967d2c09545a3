using System.Text.Json;
using Tributary.Core.Providers.Vendors.Apollo;

namespace Tributary.Tests.Units;

/// <summary>Apollo's phone hook payload, whose shape its docs leave open: every plausible variant is read (README, Apollo).</summary>
public sealed class ApolloPhonesTests
{
    private static IReadOnlyList<(string PersonId, string PersonJson)> People(string json) => ApolloPhones.People(JsonDocument.Parse(json).RootElement);

    private static string? Best(string personJson) => ApolloPhones.Best(JsonDocument.Parse(personJson).RootElement)?.Number;

    [Theory]
    [InlineData("""{"status":"success","people":[{"id":"p1","phone_numbers":[]}]}""")]
    [InlineData("""{"matches":[{"id":"p1","phone_numbers":[]}]}""")]
    [InlineData("""{"person":{"id":"p1","phone_numbers":[]}}""")]
    [InlineData("""{"data":{"people":[{"id":"p1"}]}}""")]
    [InlineData("""{"data":{"contact":{"person_id":"p1","phone_numbers":[]}}}""")]
    [InlineData("""[{"id":"p1","phone_numbers":[]}]""")]
    [InlineData("""{"id":"p1","phone_numbers":[]}""")]
    public void Each_payload_shape_names_its_person(string payload) =>
        People(payload).Select(p => p.PersonId).ShouldBe(["p1"]);

    [Fact]
    public void A_request_id_beside_the_people_is_not_a_person_and_a_numeric_id_is_read_as_text()
    {
        People("""{"id":1039995589705121900,"people":[{"id":42,"phone_numbers":[]},{"id":"p2","phone_numbers":[]}]}""")
            .Select(p => p.PersonId).ShouldBe(["42", "p2"]);
    }

    [Fact]
    public void The_mobile_number_is_preferred_and_invalid_numbers_are_left_out()
    {
        Best("""{"id":"p","phone_numbers":[{"raw_number":"+1 415-555-0199","type":"work_hq"},{"sanitized_number":"+14155550142","type_cd":"mobile"}]}""")
            .ShouldBe("+14155550142");
        Best("""{"id":"p","phone_numbers":[{"sanitized_number":"+14155550100","type":"mobile","status":"invalid_number"},{"raw_number":"+1 415-555-0199","type":"work_direct"}]}""")
            .ShouldBe("+1 415-555-0199");
        Best("""{"id":"p","phone_numbers":[]}""").ShouldBeNull();
        Best("""{"id":"p"}""").ShouldBeNull();
    }
}
