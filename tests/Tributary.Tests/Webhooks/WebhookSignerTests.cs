using System.Text;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;

namespace Tributary.Tests.Webhooks;

/// <summary>Standard Webhooks signing, checked against the specification's published test vector.</summary>
public sealed class WebhookSignerTests
{
    // The test vector of the Standard Webhooks reference libraries.
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = """{"test": 2432232314}""";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp);
    private static byte[] Body(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Signing_reproduces_the_specifications_test_vector()
    {
        WebhookSigner.Sign(VectorSecret, VectorId, VectorTimestamp, Body(VectorBody)).ShouldBe(VectorSignature);
        // The prefix is optional, as in the reference libraries.
        WebhookSigner.Sign(VectorSecret["whsec_".Length..], VectorId, VectorTimestamp, Body(VectorBody)).ShouldBe(VectorSignature);
    }

    [Fact]
    public void The_test_vector_verifies_within_the_tolerance_window()
    {
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime).ShouldBe(SignatureCheck.Valid);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime.AddMinutes(4)).ShouldBe(SignatureCheck.Valid);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime.AddMinutes(-4)).ShouldBe(SignatureCheck.Valid);
    }

    [Fact]
    public void A_tampered_body_id_or_timestamp_is_rejected()
    {
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body("""{"test": 2432232315}"""), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body("""{"test":2432232314}"""), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
        WebhookSigner.Verify(VectorSecret, "msg_p5jXN8AQM9LWM0D4loKWxJel", "1614265330", VectorSignature, Body(VectorBody), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265331", VectorSignature, Body(VectorBody), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", Body(VectorBody), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
        WebhookSigner.Verify(Secrets.NewWebhookSecret(), VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
    }

    [Fact]
    public void An_old_or_future_timestamp_is_rejected()
    {
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime.AddMinutes(5).AddSeconds(1))
            .ShouldBe(SignatureCheck.TooOld);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime.AddMinutes(-5).AddSeconds(-1))
            .ShouldBe(SignatureCheck.TooNew);
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, Body(VectorBody), VectorTime.AddSeconds(30), TimeSpan.FromSeconds(10))
            .ShouldBe(SignatureCheck.TooOld);
        WebhookSigner.Verify(VectorSecret, VectorId, "yesterday", VectorSignature, Body(VectorBody), VectorTime).ShouldBe(SignatureCheck.BadTimestamp);
        WebhookSigner.Verify(VectorSecret, VectorId, null, VectorSignature, Body(VectorBody), VectorTime).ShouldBe(SignatureCheck.MissingHeaders);
        WebhookSigner.Verify(VectorSecret, "", "1614265330", VectorSignature, Body(VectorBody), VectorTime).ShouldBe(SignatureCheck.MissingHeaders);
    }

    [Fact]
    public void Any_one_of_several_space_separated_signatures_may_match()
    {
        var several = $"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,{VectorSignature[3..]} v1,not-base64! {VectorSignature} v1a,xyz";
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", several, Body(VectorBody), VectorTime).ShouldBe(SignatureCheck.Valid);
        // The right MAC under another version tag does not count.
        WebhookSigner.Verify(VectorSecret, VectorId, "1614265330", $"v2,{VectorSignature[3..]}", Body(VectorBody), VectorTime)
            .ShouldBe(SignatureCheck.NoMatch);
    }

    [Fact]
    public void Workspace_secrets_sign_and_verify_round_trip()
    {
        var secret = Secrets.NewWebhookSecret();
        WebhookSigner.KeyOf(secret).Length.ShouldBe(32);
        var now = DateTimeOffset.UtcNow;
        var id = WebhookIds.Of(Guid.CreateVersion7());
        var signature = WebhookSigner.Sign(secret, id, now.ToUnixTimeSeconds(), Body("{}"));
        WebhookSigner.Verify(secret, id, now.ToUnixTimeSeconds().ToString(), signature, Body("{}"), now).ShouldBe(SignatureCheck.Valid);
        WebhookIds.TryParse(id, out var messageId).ShouldBeTrue();
        WebhookIds.Of(messageId).ShouldBe(id);
    }
}
