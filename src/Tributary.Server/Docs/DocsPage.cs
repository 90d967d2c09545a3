using System.Text;

namespace Tributary.Server.Docs;

public static class DocsPage
{
    public const string Path = "/docs";

    /// <summary>
    /// The API reference answers <c>/docs</c> itself instead of redirecting to <c>/docs/</c> (Tributary never redirects):
    /// the page is Scalar's, given a base URL so that its assets, which it names relative to <c>/docs/</c>, still load.
    /// Runs before routing, which picks the endpoint from the rewritten path.
    /// </summary>
    public static IApplicationBuilder UseDocsWithoutRedirect(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!HttpMethods.IsGet(http.Request.Method) || !string.Equals(http.Request.Path.Value, Path, StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }
        var asked = http.Request.Path;
        http.Request.Path = Path + "/";
        var original = http.Response.Body;
        using var page = new MemoryStream();
        http.Response.Body = page;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
            http.Request.Path = asked;
        }
        var html = Encoding.UTF8.GetString(page.ToArray());
        var head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        if (http.Response.StatusCode == StatusCodes.Status200OK && head >= 0)
            html = html.Insert(head + "<head>".Length, $"\n    <base href=\"{Path}/\" />");
        http.Response.ContentLength = null;
        await http.Response.WriteAsync(html, http.RequestAborted);
    });
}
