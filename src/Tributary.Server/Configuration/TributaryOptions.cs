namespace Tributary.Server.Configuration;

/// <summary>The <c>Tributary</c> section (DESIGN §12), minus the database, which is read before services exist.</summary>
public sealed class TributaryOptions
{
    public const string Section = "Tributary";

    /// <summary>Bearer token of the admin API; the admin API answers 404 while it is unset.</summary>
    public string? AdminToken { get; set; }

    public bool AdminApiEnabled => !string.IsNullOrWhiteSpace(AdminToken);

    public LimitsOptions Limits { get; set; } = new();

    /// <summary>The address users reach the server at behind a reverse proxy (absolute http(s) URL), for links it builds.</summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed class LimitsOptions
{
    public long MaxJsonBytes { get; set; } = 1024 * 1024;

    public long MaxImportBytes { get; set; } = 1024L * 1024 * 1024;
}
