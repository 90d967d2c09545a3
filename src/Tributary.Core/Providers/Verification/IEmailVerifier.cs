namespace Tributary.Core.Providers.Verification;

/// <summary>Decides whether an address can receive mail (DESIGN §5.2).</summary>
public interface IEmailVerifier
{
    /// <summary>
    /// Verifies one address. Expected outcomes, network failures included, are returned as a status; only
    /// cancellation through <paramref name="ct"/> throws.
    /// </summary>
    Task<EmailVerification> VerifyAsync(string email, CancellationToken ct);
}
