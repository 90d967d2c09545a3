using Tributary.Core;

namespace Tributary.Server.Configuration;

/// <summary>The server's own keys of the <c>Tributary</c> section (DESIGN §12); the rest belong to Core's options classes.</summary>
public sealed class TributaryOptions : IValidatedOptions
{
    public static string Section => "Tributary";

    /// <summary>Bearer token of the admin API; the admin API answers 404 while it is unset.</summary>
    public string? AdminToken { get; set; }

    public bool AdminApiEnabled => !string.IsNullOrWhiteSpace(AdminToken);

    public LimitsOptions Limits { get; set; } = new();

    /// <summary>The address users reach the server at behind a reverse proxy (absolute http(s) URL), for links it builds.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The longest wait of a synchronous call.</summary>
    public int SyncDeadlineMs { get; set; } = 25_000;

    /// <summary>On SIGTERM, how long in-flight work may take to finish before the process stops.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    public TimeSpan SyncDeadline => TimeSpan.FromMilliseconds(SyncDeadlineMs);

    public TimeSpan ShutdownTimeout => TimeSpan.FromSeconds(ShutdownTimeoutSeconds);

    public IEnumerable<string> Validate()
    {
        if (Limits.MaxJsonBytes < 1024) yield return $"{Section}:Limits:MaxJsonBytes must be at least 1024";
        if (Limits.MaxImportBytes < 1024) yield return $"{Section}:Limits:MaxImportBytes must be at least 1024";
        if (PublicBaseUrl is not null && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
            yield return $"{Section}:PublicBaseUrl must be an absolute http(s) URL, e.g. https://enrich.example.com";
        if (SyncDeadlineMs is < 100 or > 600_000) yield return $"{Section}:SyncDeadlineMs must be from 100 to 600000";
        if (ShutdownTimeoutSeconds is < 1 or > 3600) yield return $"{Section}:ShutdownTimeoutSeconds must be from 1 to 3600";
    }
}

public sealed class LimitsOptions
{
    public long MaxJsonBytes { get; set; } = 1024 * 1024;

    public long MaxImportBytes { get; set; } = 1024L * 1024 * 1024;
}
