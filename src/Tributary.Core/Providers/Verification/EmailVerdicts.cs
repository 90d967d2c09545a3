using Tributary.Core.Providers.Vendors;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Providers.Verification;

/// <summary>The status an email gets, where it came from, and the verifier calls that decided it (for the trace).</summary>
public sealed record EmailVerdict(string Email, EmailStatus Status, string Source, string Reason, IReadOnlyList<TraceStep> Steps)
{
    public bool? Verified => Status switch
    {
        EmailStatus.Valid => true,
        EmailStatus.Invalid => false,
        _ => null,
    };
}

/// <summary>
/// Decides the status of a found email (DESIGN §5.2, §5.4). The shipped syntax and disposable lists always apply, so no
/// source delivers an address another drops. An email its finder already calls <c>valid</c> (or <c>invalid</c>) keeps
/// that verdict. Any other is checked by the verifiers of <c>Verification:Providers</c> in order, the next one asked
/// only when the previous answered <c>unknown</c> or failed (a timeout or a blocked port is never <c>invalid</c>);
/// without that list the built-in checker decides. When nobody could tell, the finder's own verdict stands.
/// </summary>
/// <param name="asked">Told of each verifier call: the verifier, its answer, and how long it took.</param>
public sealed class EmailVerdicts(ProviderRegistry providers, IEmailVerifier builtIn, Action<string, VerifierAnswer, TimeSpan>? asked = null)
{
    /// <param name="deadline">The run's deadline (with the caller's cancellation): a verifier still busy then counts as failed.</param>
    public async Task<EmailVerdict> DecideAsync(string email, EmailStatus? finderSays, string finder, string channel,
        CancellationToken deadline, CancellationToken ct)
    {
        if (!EmailSyntax.TryParse(email, out var address))
            return new(email, EmailStatus.Invalid, "built-in", VerificationReasons.Syntax, []);
        if (DomainLists.IsDisposable(address.Domain))
            return new(address.Value, EmailStatus.Invalid, "built-in", VerificationReasons.Disposable, []);
        if (finderSays is EmailStatus.Valid or EmailStatus.Invalid)
            return new(address.Value, finderSays.Value, finder, "the finder's own verdict", []);
        var fallback = finderSays ?? EmailStatus.Unknown;

        if (providers.Verifiers.Count == 0)
        {
            var checkedHere = await builtIn.VerifyAsync(address.Value, ct);
            return checkedHere.Status == EmailStatus.Unknown
                ? new(checkedHere.Email, fallback, finderSays is null ? "built-in" : finder, checkedHere.Reason, [])
                : new(checkedHere.Email, checkedHere.Status, "built-in", checkedHere.Reason, []);
        }

        var steps = new List<TraceStep>();
        foreach (var verifier in providers.Verifiers)
        {
            if (providers.Health.Unhealthy(verifier.Name) is { } unhealthy)
            {
                steps.Add(new TraceStep { Provider = verifier.Name, Outcome = "skipped", ChannelsAsked = [channel], Detail = unhealthy });
                continue;
            }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            VerifierAnswer answer;
            try
            {
                answer = await verifier.VerifyAsync(address.Value, deadline);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                answer = new VerifierAnswer.Failed(new ProviderResult.Failed("the request's deadline passed", Transient: true));
            }
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            asked?.Invoke(verifier.Name, answer, elapsed);
            var latency = (long)elapsed.TotalMilliseconds;
            switch (answer)
            {
                case VerifierAnswer.Failed failed:
                    providers.Health.Record(verifier.Name, failed.Failure, providers.RecheckMinutes(verifier.Name));
                    steps.Add(new TraceStep
                    {
                        Provider = verifier.Name, Outcome = "failed", ChannelsAsked = [channel], LatencyMs = latency,
                        Detail = "verification: " + failed.Failure.Reason,
                    });
                    continue;
                case VerifierAnswer.Verdict verdict:
                    providers.Health.Record(verifier.Name, ProviderResult.None, providers.RecheckMinutes(verifier.Name));
                    steps.Add(new TraceStep
                    {
                        Provider = verifier.Name, Outcome = "verified", ChannelsAsked = [channel], LatencyMs = latency,
                        Detail = $"email status {EmailStatuses.Name(verdict.Status)} (the vendor said {verdict.VendorWord})",
                    });
                    if (verdict.Status != EmailStatus.Unknown)
                        return new(address.Value, verdict.Status, verifier.Name, verdict.VendorWord, steps);
                    continue;
            }
        }
        return new(address.Value, fallback, finderSays is null ? "none" : finder, "no verifier could tell", steps);
    }
}
