using Microsoft.EntityFrameworkCore;
using Tributary.Core.Common;
using Tributary.Core.Contacts;
using Tributary.Core.Storage;

namespace Tributary.Core.Companies;

public sealed class CompanyStore(CreationClock clock)
{
    /// <summary>
    /// Makes sure a company exists for every domain (one record per domain and workspace). Concurrent creators
    /// meet on the unique index, so the insert skips conflicts instead of failing.
    /// </summary>
    public async Task EnsureAsync(TributaryDb db, Guid workspaceId, IEnumerable<(string Domain, string? Name)> companies,
        CancellationToken ct = default)
    {
        var rows = companies.Where(c => c.Domain.Length > 0).GroupBy(c => c.Domain, StringComparer.Ordinal)
            .Select(g => (Domain: g.Key, Name: g.Select(c => c.Name).FirstOrDefault(n => !string.IsNullOrWhiteSpace(n))?.Trim()))
            .OrderBy(c => c.Domain, StringComparer.Ordinal).ToList();
        var values = new List<object?>(rows.Count * 7);
        foreach (var (domain, name) in rows)
        {
            var now = clock.Next();
            values.AddRange([Guid.CreateVersion7(), workspaceId, domain, name, SourcesFor(name), now, now]);
        }
        await Sql.InsertRowsAsync<int>(db, "INSERT INTO companies (id, workspace_id, domain, name, field_sources_json, created_at, updated_at)",
            "ON CONFLICT (workspace_id, domain) DO NOTHING", 7, values, null, ct);
    }

    public Task<Company?> GetAsync(TributaryDb db, Guid workspaceId, Guid id, CancellationToken ct = default) =>
        db.Companies.AsNoTracking().FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Id == id, ct);

    public Task<Company?> FindByDomainAsync(TributaryDb db, Guid workspaceId, string domain, CancellationToken ct = default)
    {
        var d = Identity.Domain(domain);
        return db.Companies.FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Domain == d, ct);
    }

    public async Task<Page<Company>> ListAsync(TributaryDb db, Guid workspaceId, CompanyFilter filter, PageRequest page,
        CancellationToken ct = default)
    {
        var q = filter.Apply(db.Companies.AsNoTracking().Where(c => c.WorkspaceId == workspaceId));
        return await Paging.RunAsync(q, page, c => c.CreatedAt, c => c.Seq, ct);
    }

    private static string SourcesFor(string? name) =>
        name is null ? "{}" : FieldSource.WriteAll(new() { ["name"] = FieldSource.User });
}

public sealed record CompanyFilter(string? Search = null, string? Domain = null)
{
    public static readonly IReadOnlyList<string> Names = ["search", "domain"];

    public static CompanyFilter Parse(IEnumerable<KeyValuePair<string, string?>> values, out string? error)
    {
        error = null;
        var f = new CompanyFilter();
        foreach (var (name, raw) in values)
        {
            var v = raw?.Trim();
            switch (name)
            {
                case "search": f = f with { Search = string.IsNullOrEmpty(v) ? null : v.ToLowerInvariant() }; break;
                case "domain": f = f with { Domain = Identity.Domain(v) }; break;
                default: error = $"unknown filter '{name}'; known filters: {string.Join(", ", Names)}"; return f;
            }
        }
        return f;
    }

    public IQueryable<Company> Apply(IQueryable<Company> q)
    {
        if (Domain is { } d) q = q.Where(c => c.Domain == d);
        if (Search is { } s) q = q.Where(c => c.Domain.Contains(s) || (c.Name != null && c.Name.ToLower().Contains(s)));
        return q;
    }
}
