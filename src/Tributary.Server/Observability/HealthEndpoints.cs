using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Server.Observability;

public static class HealthEndpoints
{
    public sealed record HealthBody(string Status);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckHealth).WithTags("Operations");
        return app;
    }

    /// <summary>200 once the database answers a query, 503 otherwise.</summary>
    static async Task<Results<Ok<HealthBody>, JsonHttpResult<HealthBody>>> CheckHealth(TributaryDb db, CancellationToken ct)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
            return TypedResults.Ok(new HealthBody("ok"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Json(new HealthBody("database unavailable"), statusCode: 503);
        }
    }
}
