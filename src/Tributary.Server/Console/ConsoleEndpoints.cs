using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Tributary.Server.Errors;

// Not Tributary.Server.Console: that name would hide System.Console from every file under Tributary.Server.
namespace Tributary.Server.WebConsole;

/// <summary>
/// The web console (DESIGN §15): <c>GET /</c> is a page that links to <c>/app</c>; <c>/app</c> and every path under it is
/// the application's shell (its screens are client-side routes); its scripts and styles are embedded in the server and
/// served from <c>/app/assets/</c>, under a Content-Security-Policy that allows nothing from elsewhere and nothing inline.
/// </summary>
public static class ConsoleEndpoints
{
    public const string ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
    private const string ResourcePrefix = "console/";

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").ExcludeFromDescription().WithErrorShape(NativeErrorShape.Instance).AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            return await next(context);
        });
        group.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        group.MapGet("/app", (HttpContext http) => Serve(http, "app.html"));
        group.MapGet("/app/{**route}", (HttpContext http) => Serve(http, "app.html"));
        group.MapGet("/app/assets/{name}", (string name, HttpContext http) => Serve(http, name));
        return app;
    }

    private static IResult Serve(HttpContext http, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
            return new ErrorResult(ApiError.NotFound($"Console file '{name}'"));
        http.Response.Headers.CacheControl = name.EndsWith(".html", StringComparison.Ordinal) ? "no-cache" : "public, max-age=300";
        http.Response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            assets[name] = new Asset(bytes, TypeOf(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string TypeOf(string name) => System.IO.Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
