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

    /// <summary>
    /// Reads entities of <typeparamref name="T"/> from a statement that selects every column of its table (<c>SELECT t.*</c>),
    /// untracked, through EF's mappings of each column (value converters included).
    /// </summary>
    public static Task<List<T>> EntitiesAsync<T>(TributaryDb db, string sql, IReadOnlyList<object?> args, CancellationToken ct) where T : class, new()
    {
        var shape = Shape<T>.Of(db);
        return QueryAsync(db, sql, args, reader => shape.Read(reader), ct);
    }

    /// <summary>Inserts one entity of <typeparamref name="T"/> and sets the key the database generated.</summary>
    public static async Task InsertAsync<T>(TributaryDb db, T entity, CancellationToken ct) where T : class, new()
    {
        var shape = Shape<T>.Of(db);
        var (sql, args) = shape.Insert(entity);
        var generated = await QueryAsync(db, sql, args, r => r.GetInt64(0), ct);
        shape.SetGenerated(entity, generated[0]);
    }

    /// <summary>An entity's table as EF maps it: column names, their CLR properties and type mappings.</summary>
    private sealed class Shape<T> where T : class, new()
    {
        private static readonly ConcurrentDictionary<Type, Shape<T>> PerProvider = new();
        private readonly string _table;
        private readonly Column[] _columns;
        private readonly Column _generated;

        private sealed record Column(string Name, System.Reflection.PropertyInfo Property, RelationalTypeMapping Mapping,
            Func<DbDataReader, int, object> Read);

        private Shape(TributaryDb db)
        {
            var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} is not mapped");
            _table = entity.GetTableName()!;
            var table = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(_table, entity.GetSchema());
            _columns = entity.GetProperties().Select(p =>
            {
                var mapping = (RelationalTypeMapping)p.GetTypeMapping();
                var providerType = mapping.Converter?.ProviderClrType ?? p.ClrType;
                providerType = Nullable.GetUnderlyingType(providerType) ?? providerType;
                var getter = typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(providerType);
                var read = (Func<DbDataReader, int, object>)(
                    (reader, i) => getter.Invoke(reader, [i])!);
                return new Column(p.GetColumnName(table)!, p.PropertyInfo!, mapping, read);
            }).ToArray();
            _generated = _columns.Single(c => entity.FindProperty(c.Property.Name)!.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd);
        }

        public static Shape<T> Of(TributaryDb db) => PerProvider.GetOrAdd(db.GetType(), _ => new Shape<T>(db));

        public T Read(DbDataReader reader)
        {
            var entity = new T();
            foreach (var column in _columns)
            {
                var i = reader.GetOrdinal(column.Name);
                if (reader.IsDBNull(i)) continue;
                var value = column.Read(reader, i);
                column.Property.SetValue(entity, column.Mapping.Converter is { } converter ? converter.ConvertFromProvider(value) : value);
            }
            return entity;
        }

        public (string Sql, List<object?> Args) Insert(T entity)
        {
            var columns = _columns.Where(c => c != _generated).ToList();
            var args = columns.Select(c => c.Property.GetValue(entity)).ToList();
            var sql = $"INSERT INTO {_table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({InList(columns.Count)}) RETURNING {_generated.Name}";
            return (sql, args);
        }

        public void SetGenerated(T entity, long value) => _generated.Property.SetValue(entity, value);
    }

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
