using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Enrichment;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Providers.Vendors.Apollo;
using Tributary.Server.Errors;
using Tributary.Server.Native;

namespace Tributary.Server.Hooks;

/// <summary>
/// Where vendors send answers that come later (DESIGN §5.4): <c>POST /hooks/apollo/{name}/{secret}</c> receives the
/// phones Apollo reveals minutes after a match. Apollo signs nothing, so the URL's per-provider secret is the only proof
/// (compared in constant time); an unknown provider or a wrong secret is a 404 and stores nothing. Apollo may repeat a
/// delivery: an answer already recorded is not recorded again, so a repeat changes nothing and charges nothing.
/// </summary>
public static class VendorHookEndpoints
{
    public sealed record HookReceived(int People);

    public static IEndpointRouteBuilder MapVendorHooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/apollo/{name}/{secret}", ReceiveApolloPhones).WithErrorShape(NativeErrorShape.Instance).ExcludeFromDescription();
        return app;
    }

    static async Task<Results<Ok<HookReceived>, ErrorResult>> ReceiveApolloPhones(string name, string secret, HttpRequest request,
        ProviderRegistry providers, LateAnswers late, ILogger<HookReceived> logger, CancellationToken ct)
    {
        if (providers.TypeOf(name) != "apollo" || providers.Get(name) is not VendorFinder { LateChannels.Count: > 0 }
            || !await providers.Answers.IsSecretAsync(name, secret, ct))
            return new ErrorResult(ApiError.NotFound("hook"));
        JsonDocument payload;
        try
        {
            payload = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return new ErrorResult(ApiError.Validation("the body is not JSON"));
        }
        using (payload)
        {
            var people = ApolloPhones.People(payload.RootElement);
            foreach (var (personId, personJson) in people)
                await providers.Answers.AnswerAsync(name, personId, personJson, ct);
            // Runs that gave up waiting before this came: their answers are stored now, here.
            var stored = await late.StoreAsync(name, ct);
            logger.LogInformation("Apollo hook of {Provider}: {People} people, {Stored} late answers stored", name, people.Count, stored);
            return TypedResults.Ok(new HookReceived(people.Count));
        }
    }
}
