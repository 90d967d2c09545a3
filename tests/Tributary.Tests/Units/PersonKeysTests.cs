using System.Text.Json;
using Tributary.Core.Erasure;

namespace Tributary.Tests.Units;

/// <summary>How an erasure recognises a person in the documents Tributary keeps (job records, payloads, stored responses).</summary>
public sealed class PersonKeysTests
{
    [Fact]
    public void Keys_are_found_wherever_they_sit_in_a_document()
    {
        var keys = PersonKeys.In(JsonSerializer.Serialize(new
        {
            contacts = new object[]
            {
                new { firstname = "Jordan", lastname = "Rivera", domain = "Tidewell.io" },
                new { note = "mail Jordan.Rivera@tidewell.io", profile = "https://www.linkedin.com/in/jordan-rivera/?trk=x" },
            },
            channels = new { x_handle = new { value = "@jrivera" }, github_username = "jrivera-dev" },
        }));
        keys.ShouldBe(["name:jordan|rivera|tidewell.io", "linkedin:jordan-rivera", "x:jrivera", "github:jrivera-dev"], ignoreOrder: true);
    }

    [Fact]
    public void An_email_is_found_in_any_string_but_not_in_text_around_it()
    {
        PersonKeys.In("""{"a":"Jordan.Rivera@tidewell.io"}""").ShouldBe(["email:jordan.rivera@tidewell.io"]);
        PersonKeys.In("""{"a":"write to jordan@tidewell.io today"}""").ShouldBeEmpty();
        PersonKeys.In("not json").ShouldBeEmpty();
    }

    [Fact]
    public void A_key_hashes_differently_in_each_workspace_and_never_shows_its_value()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var hash = PersonKeys.Hash(a, "email:jordan@tidewell.io");
        hash.Length.ShouldBe(64);
        hash.ShouldNotContain("jordan");
        hash.ShouldBe(PersonKeys.Hash(a, "email:jordan@tidewell.io"));
        hash.ShouldNotBe(PersonKeys.Hash(b, "email:jordan@tidewell.io"));
    }

    [Fact]
    public void The_text_search_also_looks_for_the_json_escaped_spelling()
    {
        // System.Text.Json writes '+' as \u002B: a stored document holds that spelling, not the plain one.
        PersonKeys.Needles("email:jordan+crm@tidewell.io").ShouldBe(["jordan+crm@tidewell.io", "jordan\\u002Bcrm@tidewell.io"]);
        PersonKeys.Needles("name:jordan|rivera|tidewell.io").ShouldBe(["rivera"]);
    }
}
