namespace Tributary.Core.Providers.Vendors;

/// <summary>The failures a person understands (DESIGN §5.4); the vendor's own words follow the colon.</summary>
public static class VendorFailures
{
    public static ProviderResult.Failed BadKey(string vendorSays) =>
        new(With("bad key: the vendor refused the API key", vendorSays), Transient: false, FailureKind.BadKey);

    public static ProviderResult.Failed OutOfCredits(string vendorSays) =>
        new(With("out of vendor credits", vendorSays), Transient: false, FailureKind.OutOfCredits);

    public static ProviderResult.Failed RateLimited(string vendorSays) =>
        new(With("rate limited by the vendor", vendorSays), Transient: true, FailureKind.RateLimited);

    public static ProviderResult.Failed Error(string vendorSays, bool transient) =>
        new(With("vendor error", vendorSays), transient);

    /// <summary>
    /// The usual reading of an HTTP error status (401 key, 402 credits, 429 rate, 5xx transient, other 4xx permanent),
    /// for vendors that document nothing else for it.
    /// </summary>
    public static ProviderResult.Failed FromStatus(VendorReply reply) => reply.Status switch
    {
        401 => BadKey(reply.Describe()),
        402 => OutOfCredits(reply.Describe()),
        429 => RateLimited(reply.Describe()),
        >= 500 => Error(reply.Describe(), transient: true),
        _ => Error(reply.Describe(), transient: false),
    };

    /// <summary>Transient by the usual reading: 429 and 5xx.</summary>
    public static bool UsuallyTransient(VendorReply reply) => reply.Status is 429 or >= 500;

    private static string With(string what, string vendorSays) =>
        string.IsNullOrWhiteSpace(vendorSays) ? what : $"{what} ({vendorSays})";
}
