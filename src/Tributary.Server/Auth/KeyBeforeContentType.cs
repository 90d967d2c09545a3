using Microsoft.AspNetCore.Routing.Matching;

namespace Tributary.Server.Auth;

public static class KeyBeforeContentType
{
    /// <summary>
    /// DESIGN §9: authentication and permissions come before content negotiation. Routing's content-type policy answers a
    /// request whose Content-Type an endpoint does not accept with 415 while it selects the endpoint, before any
    /// middleware, so a caller without a key learnt about media types before being told to authenticate. Without it, the
    /// endpoint's own body binding still answers 415 (in the surface's error body), after the key was checked.
    /// </summary>
    public static IServiceCollection CheckKeysBeforeContentTypes(this IServiceCollection services)
    {
        var policies = services.Where(d => d.ServiceType == typeof(MatcherPolicy) && d.ImplementationType?.Name == "AcceptsMatcherPolicy").ToList();
        if (policies.Count == 0) throw new InvalidOperationException("Routing's content-type policy was not found; AddRouting must come first");
        foreach (var policy in policies) services.Remove(policy);
        return services;
    }
}
