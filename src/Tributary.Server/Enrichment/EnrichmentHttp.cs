using Tributary.Core.Enrichment;
using Tributary.Server.Errors;

namespace Tributary.Server.Enrichment;

/// <summary>What every surface does the same way around an enrichment: the id header, the credit error, phone filtering.</summary>
public static class EnrichmentHttp
{
    public const string EnrichmentIdHeader = "X-Enrichment-Id";

    public static void SetEnrichmentId(this HttpContext http, Guid id) => http.Response.Headers[EnrichmentIdHeader] = id.ToString();

    public static ApiError InsufficientCredits(EnrichmentOutcome.InsufficientCredits o) => new(
        StatusCodes.Status402PaymentRequired, ErrorCodes.InsufficientCredits,
        $"This request needs up to {o.Needed} credits but the workspace has {o.Available} available") { Credits = new(o.Needed, o.Available) };

    public static ApiError ConsentRequired() => new(
        StatusCodes.Status422UnprocessableEntity, ErrorCodes.ConsentRequired,
        "Personal email enrichment needs the workspace's personal_email_consent setting");
}
