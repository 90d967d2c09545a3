using System.Text;
using System.Text.Json;
using Tributary.Core.Jobs;

namespace Tributary.Tests.Jobs;

/// <summary>The JSON job body read as a stream: any key order, any chunking of the bytes, a bad body refused.</summary>
public sealed class JsonJobBodyTests
{
    /// <summary>A stream that hands out at most <paramref name="chunk"/> bytes per read, as a slow network does.</summary>
    private sealed class Trickle(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], ct);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65_536)]
    public async Task Settings_after_the_records_and_records_of_any_size_are_read_in_any_chunking(int chunk)
    {
        var big = new string('n', 200_000); // a record larger than the reader's first buffer
        var json = $$"""
            { "ignored": {"deep": [1, 2, {"x": "y"}]}, "records": [ {"email": "a@x.io"}, {"email": "b@x.io", "notes": "{{big}}"}, "not an object", {"linkedin_url": "https://linkedin.com/in/c"} ],
              "channels": ["work_email", "phone"], "mapping": {"email": "Email"}, "force": true, "name": "late keys" }
            """;
        var bytes = Encoding.UTF8.GetBytes(json);
        var settings = await JsonJobBody.ReadSettingsAsync(new Trickle(bytes, chunk), CancellationToken.None);
        settings.Records.ShouldBe(4);
        settings.Values["channels"].EnumerateArray().Select(c => c.GetString()).ShouldBe(["work_email", "phone"]);
        settings.Values["force"].ValueKind.ShouldBe(JsonValueKind.True);
        settings.Values["name"].GetString().ShouldBe("late keys");
        settings.Values.ContainsKey("ignored").ShouldBeFalse();

        var items = new List<NewItem>();
        await foreach (var item in JsonJobBody.ReadRecordsAsync(new Trickle(bytes, chunk), null, CancellationToken.None)) items.Add(item);
        items.Count.ShouldBe(4);
        items[0].Known["email"].GetString().ShouldBe("a@x.io");
        items[1].RawJson!.ShouldContain(big);
        items[2].Known.ShouldBeEmpty();
        items[3].Known["linkedin_url"].GetString().ShouldBe("https://linkedin.com/in/c");
    }

    [Theory]
    [InlineData("""{"records": [{"email": "a@x.io"}""")]
    [InlineData("""{"records": [{"email": "a@x.io"},, {}]}""")]
    [InlineData("""{"records": [], "channels": [}""")]
    public async Task A_malformed_body_is_a_json_error(string json)
    {
        await Should.ThrowAsync<JsonException>(async () =>
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            await JsonJobBody.ReadSettingsAsync(new Trickle(bytes, 3), CancellationToken.None);
        });
    }

    [Fact]
    public async Task A_record_with_invalid_text_refuses_the_body_naming_the_record()
    {
        byte[] bytes = [.. "{\"records\": [{\"email\": \"a@x.io\"}, {\"email\": \""u8, 0xff, 0xfe, .. "@x.io\"}]}"u8];
        await Should.ThrowAsync<JsonException>(() => JsonJobBody.ReadSettingsAsync(new MemoryStream(bytes), CancellationToken.None));
        var error = await Should.ThrowAsync<Tributary.Core.Contacts.ImportRejectedException>(async () =>
        {
            await foreach (var _ in JsonJobBody.ReadRecordsAsync(new MemoryStream(bytes), null, CancellationToken.None)) { }
        });
        error.Message.ShouldContain("record 2");
    }

    [Fact]
    public async Task Escaped_text_beyond_ascii_is_read()
    {
        var bytes = """{"records":[{"email":"a@x.io"}],"name":"\u00E9\u4E2D\uD83D\uDE00","channels":["work_email"]}"""u8.ToArray();
        var settings = await JsonJobBody.ReadSettingsAsync(new MemoryStream(bytes), CancellationToken.None);
        settings.Values["name"].GetString().ShouldBe("\u00e9\u4e2d\U0001F600");
    }

    [Fact]
    public async Task A_body_without_a_records_array_has_no_records()
    {
        (await JsonJobBody.ReadSettingsAsync(new MemoryStream("""{"records": {"a": 1}, "channels": []}"""u8.ToArray()), CancellationToken.None))
            .Records.ShouldBeNull();
        (await JsonJobBody.ReadSettingsAsync(new MemoryStream("[1, 2]"u8.ToArray()), CancellationToken.None)).Records.ShouldBeNull();
    }
}
