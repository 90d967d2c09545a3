using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tributary.Core.Storage;

/// <summary>
/// Plain SQL on the context's own connection and transaction, for the statements of the enrichment and job hot paths.
/// Measured on SQLite (bench machine, one connection in a transaction): a LINQ query or ExecuteUpdate costs 125–145 µs,
/// a SaveChanges of one row 380 µs, the same statement here 10–15 µs; a job item's commit is a dozen of them. Values
/// are bound with EF's own type mappings, so a Guid or a DateTime is stored exactly as EF stores and compares it.
/// The SQL is written with {0}, {1}… placeholders, as in <see cref="FormattableString"/>; only placeholders are
/// spliced in, every value travels as a parameter.
/// </summary>
public static class Sql
{
    private static readonly ConcurrentDictionary<(Type Db, Type Value), RelationalTypeMapping> Mappings = new();

    public static async Task<int> ExecuteAsync(TributaryDb db, string sql, IReadOnlyList<object?> args, CancellationToken ct)
    {
        var opened = await OpenAsync(db, ct);
        try
        {
            await using var cmd = Command(db, sql, args);
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    public static Task<int> ExecuteAsync(TributaryDb db, FormattableString sql, CancellationToken ct) =>
        ExecuteAsync(db, sql.Format, sql.GetArguments(), ct);

    /// <summary>Reads every row of the statement's result with <paramref name="read"/>.</summary>
    public static async Task<List<T>> QueryAsync<T>(TributaryDb db, string sql, IReadOnlyList<object?> args, Func<DbDataReader, T> read,
        CancellationToken ct)
    {
        var opened = await OpenAsync(db, ct);
        try
        {
            await using var cmd = Command(db, sql, args);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(read(reader));
            return rows;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    public static Task<List<T>> QueryAsync<T>(TributaryDb db, FormattableString sql, Func<DbDataReader, T> read, CancellationToken ct) =>
        QueryAsync(db, sql.Format, sql.GetArguments(), read, ct);

    /// <summary>"({0}, {1}, {2}), ({3}, {4}, {5})…": the placeholders of a multi-row VALUES list, numbered from <paramref name="first"/>.</summary>
    public static string ValuesList(int rows, int columns, int first = 0) =>
        string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range(0, columns).Select(c => "{" + (first + r * columns + c).ToString(CultureInfo.InvariantCulture) + "}")) + ")"));

    /// <summary>"{first}, {first+1}, …": the placeholders of an IN list of <paramref name="count"/> values.</summary>
    public static string InList(int count, int first = 0) =>
        string.Join(", ", Enumerable.Range(first, count).Select(i => "{" + i.ToString(CultureInfo.InvariantCulture) + "}"));

    private static async Task<bool> OpenAsync(TributaryDb db, CancellationToken ct)
    {
        if (db.Database.GetDbConnection().State == System.Data.ConnectionState.Open) return false;
        await db.Database.OpenConnectionAsync(ct);
        return true;
    }

    private static DbCommand Command(TributaryDb db, string sql, IReadOnlyList<object?> args)
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var names = new object[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            var name = "@p" + i.ToString(CultureInfo.InvariantCulture);
            names[i] = name;
            if (args[i] is null)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.Value = DBNull.Value;
                cmd.Parameters.Add(p);
            }
            else cmd.Parameters.Add(MappingOf(db, args[i]!.GetType()).CreateParameter(cmd, name, args[i]));
        }
        cmd.CommandText = string.Format(CultureInfo.InvariantCulture, sql, names);
        return cmd;
    }

    private static RelationalTypeMapping MappingOf(TributaryDb db, Type type) =>
        Mappings.GetOrAdd((db.GetType(), type), key =>
            db.GetService<IRelationalTypeMappingSource>().FindMapping(key.Value)
            ?? throw new InvalidOperationException($"no database type for {key.Value}"));
}
