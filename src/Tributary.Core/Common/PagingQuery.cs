using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Tributary.Core.Common;

public static class Paging
{
    /// <summary>
    /// Runs an ordered page: offset paging by page number, or keyset paging when a cursor is given. Ordered by
    /// (created_at, seq) ascending; <c>next_cursor</c> is set whenever more rows follow.
    /// </summary>
    public static async Task<Page<T>> RunAsync<T>(IQueryable<T> filtered, PageRequest page,
        Expression<Func<T, DateTime>> createdAt, Expression<Func<T, long>> seq, CancellationToken ct)
    {
        var total = await filtered.LongCountAsync(ct);
        var q = filtered;
        if (page.Cursor is { } raw && Cursor.TryDecode(raw, out var cursor))
        {
            var p = createdAt.Parameters[0];
            var after = Expression.Lambda<Func<T, bool>>(
                Expression.OrElse(
                    Expression.GreaterThan(createdAt.Body, Expression.Constant(cursor.CreatedAt)),
                    Expression.AndAlso(
                        Expression.Equal(createdAt.Body, Expression.Constant(cursor.CreatedAt)),
                        Expression.GreaterThan(new ReplaceParameter(seq.Parameters[0], p).Visit(seq.Body), Expression.Constant(cursor.Seq)))),
                p);
            q = q.Where(after);
        }
        var ordered = q.OrderBy(createdAt).ThenBy(seq);
        var skip = page.Cursor is null ? (page.Page - 1) * page.PerPage : 0;
        var rows = await ordered.Skip(skip).Take(page.PerPage + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > page.PerPage)
        {
            rows.RemoveAt(rows.Count - 1);
            var last = rows[^1];
            next = new Cursor(createdAt.Compile()(last), seq.Compile()(last)).Encode();
        }
        return new Page<T>(rows, page.Cursor is null ? page.Page : 1, page.PerPage, total, next);
    }

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
