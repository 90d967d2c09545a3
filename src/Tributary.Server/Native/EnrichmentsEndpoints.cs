using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Docs;

namespace Tributary.Server.Native;

public static class EnrichmentsEndpoints
{
    public static IEndpointRouteBuilder MapEnrichmentTraces(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/enrichments/{id}/trace", GetTrace).WithTags(ApiTags.Traces).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.ReadEnrich);
        return app;
    }

    /// <summary>How a run went: providers asked in order, their outcome and latency, why others were skipped, cache hits.</summary>
    static async Task<Results<Ok<Envelope<JsonElement>>, ErrorResult>> GetTrace(string id, CallerContext caller, TributaryDb db, CancellationToken ct)
    {
        if (Ids.TryParse(id, "enrichment", out var enrichmentId) is { } bad) return new ErrorResult(bad);
        var record = await db.EnrichmentRecords.AsNoTracking()
            .FirstOrDefaultAsync(r => r.WorkspaceId == caller.WorkspaceId && r.Id == enrichmentId, ct);
        return record is null
            ? new ErrorResult(ApiError.NotFound("Enrichment"))
            : TypedResults.Ok(new Envelope<JsonElement>(JsonDocument.Parse(record.TraceJson).RootElement.Clone()));
    }
}
