namespace Tributary.Core.Workspaces;

public sealed class Workspace
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool PersonalEmailConsent { get; set; }
    /// <summary>Comma-separated ISO alpha-2 codes, upper case.</summary>
    public string DefaultPhoneCountries { get; set; } = "";
    public double MinConfidence { get; set; } = 0.5;
    public string? VerificationWebhookUrl { get; set; }
    public required string WebhookSecret { get; set; }

    public IReadOnlyList<string> PhoneCountries =>
        DefaultPhoneCountries.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
