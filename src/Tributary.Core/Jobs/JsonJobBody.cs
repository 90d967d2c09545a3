using System.Runtime.CompilerServices;
using System.Text.Json;
using Tributary.Core.Common;
using Tributary.Core.Contacts;

namespace Tributary.Core.Jobs;

/// <summary>
/// The JSON form of a job, <c>{"records":[…],"channels":[…],"mapping":{…},"force":false,"name":"…"}</c>, read in two
/// passes over a seekable body (spooled to disk beyond a megabyte) so that one record at a time is held in memory,
/// whatever the size of the body and the order of its keys (DESIGN §9).
/// </summary>
public sealed class JsonJobBody
{
    private static readonly string[] Settings = ["channels", "mapping", "force", "name", "contact_ids", "filters"];

    /// <summary>The body's settings by key (channels, mapping, force, name, contact_ids, filters); other keys are skipped.</summary>
    public Dictionary<string, JsonElement> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>How many records the body holds; null when it has no <c>records</c> array.</summary>
    public long? Records { get; private set; }

    /// <summary>The first pass: the settings, and the records counted (each skipped token by token).</summary>
    /// <exception cref="JsonException">The body is not valid JSON.</exception>
    public static async Task<JsonJobBody> ReadSettingsAsync(Stream body, CancellationToken ct)
    {
        var result = new JsonJobBody();
        var json = new JsonStreamReader(body);
        if (!await json.ReadAsync(ct) || json.TokenType != JsonTokenType.StartObject) return result;
        while (await json.ReadAsync(ct) && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = json.Text!;
            if (name == "records")
            {
                if (!await json.ReadAsync(ct)) throw new JsonException("The body ends before 'records'.");
                if (json.TokenType != JsonTokenType.StartArray)
                {
                    await json.SkipChildrenAsync(ct);
                    continue;
                }
                long count = 0;
                while (await json.ReadAsync(ct) && json.TokenType != JsonTokenType.EndArray)
                {
                    count++;
                    await json.SkipChildrenAsync(ct);
                }
                result.Records = count;
            }
            else if (Settings.Contains(name)) result.Values[name] = await json.ReadValueAsync(ct);
            else await json.SkipValueAsync(ct);
        }
        return result;
    }

    /// <summary>The second pass, from the body's start: each record of the <c>records</c> array as a job item.</summary>
    public static async IAsyncEnumerable<NewItem> ReadRecordsAsync(Stream body, IReadOnlyDictionary<string, string>? mapping,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var json = new JsonStreamReader(body);
        if (!await json.ReadAsync(ct) || json.TokenType != JsonTokenType.StartObject) yield break;
        while (await json.ReadAsync(ct) && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.Text != "records")
            {
                await json.SkipValueAsync(ct);
                continue;
            }
            if (!await json.ReadAsync(ct) || json.TokenType != JsonTokenType.StartArray) throw new ImportRejectedException("'records' must be an array");
            var position = 0L;
            while (await json.PeekAsync(ct) is not (JsonTokenType.EndArray or JsonTokenType.None))
            {
                position++;
                NewItem item;
                try
                {
                    item = JobInput.FromJson(await json.ReadValueAsync(ct), mapping);
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                    throw new ImportRejectedException($"record {position} is not valid JSON text (invalid UTF-8 or a lone surrogate)");
                }
                yield return item;
            }
            yield break;
        }
    }
}
