namespace Tributary.Server.Auth;

/// <summary>The permission a route needs (DESIGN §3); routes without it need no key; null: any valid key.</summary>
public sealed record RequiredPermission(string? Permission);

/// <summary>Marks the operator's admin routes, opened by <c>Tributary:AdminToken</c>.</summary>
public sealed class AdminOnly
{
    public static readonly AdminOnly Instance = new();
}

public static class AuthMetadataExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredPermission(permission));

    /// <summary>Any valid key of a workspace, whatever its permissions.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredPermission(null));

    public static TBuilder RequireAdminToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AdminOnly.Instance);
}
