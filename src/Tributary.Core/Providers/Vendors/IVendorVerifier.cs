using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Vendors;

/// <summary>A verifier named in <c>Tributary:Verification:Providers</c> (DESIGN §5.4): one address in, one verdict or failure out.</summary>
public interface IVendorVerifier
{
    string Name { get; }

    /// <summary>Only cancellation through <paramref name="ct"/> throws; everything else is an answer.</summary>
    Task<VerifierAnswer> VerifyAsync(string email, CancellationToken ct);
}

public abstract record VerifierAnswer
{
    /// <summary>The vendor's verdict mapped to §5.2's set, and the vendor's own word for it.</summary>
    public sealed record Verdict(EmailStatus Status, string VendorWord) : VerifierAnswer
    {
        /// <summary>Whether the vendor charges for this verdict (Hunter does not for unknown or disposable).</summary>
        public bool Billed { get; init; } = true;
    }

    public sealed record Failed(ProviderResult.Failed Failure) : VerifierAnswer;
}
