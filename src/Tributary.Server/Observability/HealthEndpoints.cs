using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Server.Docs;

namespace Tributary.Server.Observability;

public static class HealthEndpoints
{
    public sealed record HealthBody(string Status);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckHealth).WithTags(ApiTags.Operations).Produces<HealthBody>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>200 once the start-up is done (the demo key printed) and the database answers a query, 503 otherwise.</summary>
    static async Task<Results<Ok<HealthBody>, JsonHttpResult<HealthBody>>> CheckHealth(TributaryDb db, StartupState startup, CancellationToken ct)
    {
        if (!startup.Done) return TypedResults.Json(new HealthBody("starting"), statusCode: 503);
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

/// <summary>Whether the start-up has finished: the address bound and, in Development, the demo workspace made and printed.</summary>
public sealed class StartupState
{
    private volatile bool _done;

    public bool Done => _done;

    public void Finish() => _done = true;
}
