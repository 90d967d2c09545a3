using System.Text.Json;

namespace Tributary.Server.Enrichment;

/// <summary>Settings every surface shares: the longest a synchronous call waits (DESIGN §7).</summary>
public sealed record SurfaceSettings(TimeSpan SyncDeadline);

public static class SurfaceJson
{
    public static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
