using Microsoft.AspNetCore.HttpOverrides;

namespace Tributary.Server.Configuration;

/// <summary>
/// Behind a reverse proxy (DESIGN §12): the forwarded headers of a proxy on this machine are honoured (scheme and client
/// address), and the links the server gives out in <c>Location</c> headers are built from <c>Tributary:PublicBaseUrl</c>
/// when it is set, so that they point at the proxy rather than at the address the server listens on; without it they
/// stay relative to the request.
/// </summary>
public static class PublicAddress
{
    public static WebApplication UsePublicAddress(this WebApplication app)
    {
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        if (app.Services.GetRequiredService<TributaryOptions>().PublicBaseUrl is not { } publicBaseUrl) return app;
        var baseUrl = publicBaseUrl.TrimEnd('/');
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                if (http.Response.Headers.Location.ToString() is ['/', ..] location && !location.StartsWith("//", StringComparison.Ordinal))
                    http.Response.Headers.Location = baseUrl + http.Request.PathBase + location;
                return Task.CompletedTask;
            });
            await next(http);
        });
        return app;
    }
}
