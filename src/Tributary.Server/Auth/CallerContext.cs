using Tributary.Core.Workspaces;

namespace Tributary.Server.Auth;

/// <summary>Who is calling: filled by <see cref="ApiKeyAuthMiddleware"/> for routes that need a key, one per request.</summary>
public sealed class CallerContext
{
    private ApiKey? _key;

    public ApiKey Key => _key ?? throw new InvalidOperationException("This route was not marked as needing an API key.");
    public bool IsAuthenticated => _key is not null;
    public Guid WorkspaceId => Key.WorkspaceId;
    public Guid KeyId => Key.Id;

    internal void Authenticate(ApiKey key) => _key = key;
}
