using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Core.Common;

/// <summary>
/// A member of a PATCH body: absent (nothing changes), or given, <c>null</c> included (which clears where the member
/// allows it). System.Text.Json leaves an absent member at its default, and calls the converter for a present one.
/// </summary>
[JsonConverter(typeof(GivenConverterFactory))]
public readonly record struct Given<T>(T? Value)
{
    public bool IsGiven { get; private init; }

    public static Given<T> Of(T? value) => new(value) { IsGiven = true };
}

public sealed class GivenConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Given<>);

    public override JsonConverter CreateConverter(Type type, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(GivenConverter<>).MakeGenericType(type.GetGenericArguments()[0]))!;

    private sealed class GivenConverter<T> : JsonConverter<Given<T>>
    {
        public override bool HandleNull => true;

        public override Given<T> Read(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options) =>
            Given<T>.Of(reader.TokenType == JsonTokenType.Null && default(T) is null ? default
                : ((JsonConverter<T>)options.GetConverter(typeof(T))).Read(ref reader, typeof(T), options));

        public override void Write(Utf8JsonWriter writer, Given<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, options);
    }
}
