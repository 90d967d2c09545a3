using System.Text.Unicode;
using System.Text.Json;

namespace Tributary.Core.Common;

/// <summary>
/// Reads a JSON document from a stream token by token, holding only the token or value being read, so that a body of
/// hundreds of megabytes is parsed in a buffer of kilobytes (DESIGN §9: JSON job bodies are read as a stream).
/// </summary>
public sealed class JsonStreamReader(Stream stream, int maxValueBytes = 1024 * 1024)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private bool _final;
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };
    private JsonReaderState _state = new(Options);

    public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;

    /// <summary>The name of the last property name read (string values are checked, not kept).</summary>
    public string? Text { get; private set; }

    /// <summary>Reads the next token; false at the end of the body.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryRead(consume: true)) return true;
            if (_final) return false;
            await FillAsync(ct);
        }
    }

    /// <summary>The type of the next token without reading it (so that <see cref="ReadValueAsync"/> can still read its value).</summary>
    public async ValueTask<JsonTokenType> PeekAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryRead(consume: false)) return TokenType;
            if (_final) return JsonTokenType.None;
            await FillAsync(ct);
        }
    }

    /// <summary>Reads the next value whole (an object, an array or a scalar), at most <c>maxValueBytes</c> of it.</summary>
    public async ValueTask<JsonElement> ReadValueAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryParseValue() is { } value) return value;
            if (_final) throw new JsonException("The body ends inside a value.");
            await FillAsync(ct);
        }
    }

    /// <summary>After <see cref="ReadAsync"/> returned the start of an object or array, skips the rest of it token by token.</summary>
    public async ValueTask SkipChildrenAsync(CancellationToken ct)
    {
        if (TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        var depth = 1;
        while (depth > 0)
        {
            if (!await ReadAsync(ct)) throw new JsonException("The body ends inside a value.");
            if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) depth++;
            else if (TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) depth--;
        }
    }

    /// <summary>Skips the next value, whatever its size.</summary>
    public async ValueTask SkipValueAsync(CancellationToken ct)
    {
        if (!await ReadAsync(ct)) throw new JsonException("The body ends before a value.");
        await SkipChildrenAsync(ct);
    }

    private bool TryRead(bool consume)
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
        if (!reader.Read()) return false;
        TokenType = reader.TokenType;
        Text = null;
        try
        {
            if (reader.TokenType == JsonTokenType.PropertyName) Text = reader.GetString();
            // A string value is only checked: decoding every value of a body of records just to skip them cost a string each.
            else if (reader.TokenType == JsonTokenType.String)
            {
                if (reader.ValueIsEscaped) _ = reader.GetString(); // unescaping is what finds a lone surrogate
                else if (!Utf8.IsValid(reader.ValueSpan)) throw new InvalidOperationException("invalid UTF-8");
            }
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException("The body has a string that is not valid UTF-8 text.", e); // invalid UTF-8 or a lone surrogate
        }
        if (consume) Advance(ref reader);
        return true;
    }

    // JsonDocument.TryParseValue is not used: on a reader resumed inside an array it parses past the value's end.
    private JsonElement? TryParseValue()
    {
        var span = _buffer.AsSpan(_start, _end - _start);
        var reader = new Utf8JsonReader(span, _final, _state);
        if (!reader.Read()) return null;
        if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.PropertyName)
            throw new JsonException("A value was expected.");
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) return null;
        var text = span[start..(int)reader.BytesConsumed];
        // JsonDocument takes invalid UTF-8 in a string and reads it as U+FFFD; the body is not UTF-8 text (DESIGN §9).
        if (!Utf8.IsValid(text)) throw new JsonException("The body has a string that is not valid UTF-8 text.");
        // ParseValue copies the value once; Parse of a copy, then Clone, copied a record of the body three times.
        var exact = new Utf8JsonReader(text, isFinalBlock: true, new JsonReaderState(Options));
        var value = JsonElement.ParseValue(ref exact);
        TokenType = reader.TokenType;
        Text = null;
        Advance(ref reader);
        return value;
    }

    private void Advance(ref Utf8JsonReader reader)
    {
        _state = reader.CurrentState;
        _start += (int)reader.BytesConsumed;
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            (_end, _start) = (_end - _start, 0);
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= maxValueBytes)
                throw new Contacts.ImportRejectedException($"the body has a value longer than {maxValueBytes / 1024} KiB");
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxValueBytes));
        }
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
        if (read == 0) _final = true;
        _end += read;
    }
}
