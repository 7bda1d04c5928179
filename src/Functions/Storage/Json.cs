using System.Text.Json;

namespace AbuseDesk.Functions.Storage;

public static class Json
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Deserialises a queue message; a malformed one throws so the host retries and then poisons it.</summary>
    public static T Deserialize<T>(string text) =>
        JsonSerializer.Deserialize<T>(text, Options) ?? throw new JsonException($"message is not a {typeof(T).Name}");
}
