using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
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
        var cmd = opened ? Command(db, sql, args) : Prepared(db, sql, args);
        try
        {
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            if (opened) await cmd.DisposeAsync();
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
        var cmd = opened ? Command(db, sql, args) : Prepared(db, sql, args);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(read(reader));
            return rows;
        }
        finally
        {
            if (opened) await cmd.DisposeAsync();
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
    /// "<paramref name="column"/> IN (the strings of the argument at placeholder <paramref name="placeholder"/>)", for
    /// lists of any length in one parameter: <c>= ANY({n})</c> over a text array on PostgreSQL, <c>IN (SELECT value FROM
    /// json_each({n}))</c> over a JSON array on SQLite, whose parameter binding by name grows with the square of the
    /// number of placeholders (an IN list of 1,500 took a third of an import's batch). Pass <see cref="ListArgument"/>.
    /// </summary>
    public static string InValues(TributaryDb db, string column, int placeholder) =>
        db.Provider == DatabaseProvider.Postgres
            ? $"{column} = ANY({{{placeholder.ToString(CultureInfo.InvariantCulture)}}})"
            : $"{column} IN (SELECT value FROM json_each({{{placeholder.ToString(CultureInfo.InvariantCulture)}}}))";

    /// <summary>The argument of <see cref="InValues"/> for these strings.</summary>
    public static object ListArgument(TributaryDb db, IReadOnlyCollection<string> values) =>
        db.Provider == DatabaseProvider.Postgres ? values.ToArray() : System.Text.Json.JsonSerializer.Serialize(values);

    /// <summary>
    /// Rows of <typeparamref name="T"/>'s table (aliased <paramref name="alias"/> in <paramref name="fromAndRest"/>, the
    /// statement after its column list) as untracked entities, through EF's mappings of each column (value converters
    /// included). The columns are listed and read by position: looking each
    /// one up by name cost Microsoft.Data.Sqlite a native call per column compared, a tenth of a cached answer's write-back
    /// check (perf).
    /// </summary>
    public static Task<List<T>> EntitiesAsync<T>(TributaryDb db, string alias, string fromAndRest, IReadOnlyList<object?> args,
        CancellationToken ct) where T : class
    {
        var shape = Shape<T>.Of(db);
        return QueryAsync(db, $"SELECT {shape.ColumnList(alias)} {fromAndRest}", args, reader => shape.Read(reader), ct);
    }

    /// <summary>The rows <paramref name="statement"/> (an UPDATE or INSERT of <typeparamref name="T"/>'s table) changed, returned whole.</summary>
    public static Task<List<T>> ReturningEntitiesAsync<T>(TributaryDb db, string statement, IReadOnlyList<object?> args, CancellationToken ct)
        where T : class
    {
        var shape = Shape<T>.Of(db);
        return QueryAsync(db, $"{statement} RETURNING {shape.ColumnList(null)}", args, reader => shape.Read(reader), ct);
    }

    /// <summary>Inserts one entity of <typeparamref name="T"/> and sets the key the database generated.</summary>
    public static Task InsertAsync<T>(TributaryDb db, T entity, CancellationToken ct) where T : class =>
        InsertManyAsync(db, [entity], ct);

    /// <summary>Inserts entities of <typeparamref name="T"/> and sets the keys the database generated.</summary>
    public static async Task InsertManyAsync<T>(TributaryDb db, IReadOnlyList<T> entities, CancellationToken ct) where T : class
    {
        if (entities.Count == 0) return;
        var shape = Shape<T>.Of(db);
        var values = new List<object?>(entities.Count * shape.InsertedColumns);
        foreach (var entity in entities) shape.AddValues(entity, values);
        var generated = await InsertRowsAsync(db, shape.InsertInto, shape.Returning, shape.InsertedColumns, values,
            r => (Key: shape.ReadKey(r, 0), Generated: r.GetInt64(1)), ct);
        var byKey = entities.ToDictionary(shape.KeyOf);
        foreach (var (key, value) in generated) shape.SetGenerated(byKey[key], value);
    }

    /// <summary>
    /// Runs <c>{insertInto} VALUES (…), (…) {rest}</c> for rows of <paramref name="columns"/> values each (given one
    /// after the other in <paramref name="values"/>) and reads what the statements return. On SQLite one prepared
    /// single-row statement runs once per row: Microsoft.Data.Sqlite binds parameters by name and SQLite finds a name by
    /// a linear scan, so a multi-row statement's binding grows with the square of its parameters (a 6,000-parameter
    /// insert spent most of a CSV import in <c>strncmp</c>, measured with perf), while re-running a prepared statement
    /// costs no parsing at all. On PostgreSQL every statement is a round trip, so rows travel 8,000 values at a time.
    /// </summary>
    public static async Task<List<TRow>> InsertRowsAsync<TRow>(TributaryDb db, string insertInto, string rest, int columns,
        IReadOnlyList<object?> values, Func<DbDataReader, TRow>? read, CancellationToken ct)
    {
        var result = new List<TRow>();
        if (values.Count == 0) return result;
        var opened = await OpenAsync(db, ct);
        try
        {
            // The rows go set-based in runs of at most MaxSetBasedChars of text, so that a batch of wide rows (an import's
            // contacts, ~600 characters each with their provenance) does not fall back to the row-wise path as a whole.
            foreach (var run in RunsByText(values, columns))
            {
                if (run.Count / columns >= SetBasedRows && SetBased(db, insertInto, rest, columns, run) is { } setBased)
                {
                    await using var cmd = setBased;
                    await ReadAllAsync(cmd, read, result, ct);
                }
                else await InsertRowWiseAsync(db, insertInto, rest, columns, run, read, result, heldOpen: !opened, ct);
            }
            return result;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task InsertRowWiseAsync<TRow>(TributaryDb db, string insertInto, string rest, int columns,
        IReadOnlyList<object?> values, Func<DbDataReader, TRow>? read, List<TRow> result, bool heldOpen, CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var firstRow = values.Take(columns).ToList();
            var sql = $"{insertInto} VALUES ({InList(columns)}) {rest}";
            // On a connection the caller holds open the statement stays prepared for the next call (see Prepared).
            var cmd = heldOpen ? Prepared(db, sql, firstRow) : Command(db, sql, firstRow);
            try
            {
                var types = firstRow.Select(v => v?.GetType()).ToArray();
                for (var row = 0; row < values.Count; row += columns)
                {
                    if (row > 0) Rebind(db, cmd, values, types, row);
                    await ReadAllAsync(cmd, read, result, ct);
                }
            }
            finally
            {
                if (!heldOpen) await cmd.DisposeAsync();
            }
        }
        else
        {
            var rowsPerStatement = Math.Max(1, 8_000 / columns);
            var rowCount = values.Count / columns;
            for (var row = 0; row < rowCount; row += rowsPerStatement)
            {
                var rows = Math.Min(rowsPerStatement, rowCount - row);
                await using var cmd = Command(db, $"{insertInto} VALUES {ValuesList(rows, columns)} {rest}",
                    values.Skip(row * columns).Take(rows * columns).ToList());
                await ReadAllAsync(cmd, read, result, ct);
            }
        }
    }

    /// <summary>The rows of <paramref name="values"/> cut into consecutive runs holding at most <see cref="MaxSetBasedChars"/> of text (a longer row alone).</summary>
    private static IEnumerable<IReadOnlyList<object?>> RunsByText(IReadOnlyList<object?> values, int columns)
    {
        var start = 0;
        long chars = 0;
        for (var row = 0; row < values.Count; row += columns)
        {
            long rowChars = 0;
            for (var c = 0; c < columns; c++)
                if (values[row + c] is string text) rowChars += text.Length;
            if (row > start && chars + rowChars > MaxSetBasedChars)
            {
                yield return Slice(values, start, row);
                (start, chars) = (row, 0);
            }
            chars += rowChars;
        }
        yield return Slice(values, start, values.Count);
    }

    private static IReadOnlyList<object?> Slice(IReadOnlyList<object?> values, int from, int to) =>
        from == 0 && to == values.Count ? values
        : values is List<object?> list ? list.GetRange(from, to - from) : values.Skip(from).Take(to - from).ToList();

    /// <summary>From this many rows on, <see cref="InsertRowsAsync"/> sends all of them as one statement with one parameter per column (PostgreSQL) or one in all (SQLite).</summary>
    private const int SetBasedRows = 16;

    private const long MaxSetBasedChars = 1 << 20;

    private const long MaxSetBasedRowChars = 2_048;

    private static readonly System.Text.Json.JsonWriterOptions RowsJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true,
    };

    /// <summary>
    /// The rows as one statement whatever their number: on PostgreSQL one typed array per column, unnested
    /// (<c>INSERT … SELECT … FROM unnest($1, $2, …) WITH ORDINALITY ORDER BY ordinality</c>), on SQLite one JSON array of
    /// rows read with <c>json_each</c>, each value in the text Microsoft.Data.Sqlite would have bound (an upper-case Guid,
    /// a date as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>). Either way a batch costs one statement, one round trip and a handful
    /// of parameter bindings, instead of a prepared statement re-run per row (SQLite: ~15 µs a run) or a VALUES list of
    /// thousands of placeholders that the server parses and plans (PostgreSQL). Rows go in the order given. Null when a
    /// value has a type this path does not write exactly as a bound parameter would be (those take the row-wise path).
    /// </summary>
    private static DbCommand? SetBased(TributaryDb db, string insertInto, string rest, int columns, IReadOnlyList<object?> values)
    {
        var rows = values.Count / columns;
        var types = new Type?[columns];
        long chars = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is null) continue;
            // Large texts (a job's raw records) stay row-wise: one statement of all of them would hold them twice more.
            if (value is string text && (chars += text.Length) > MaxSetBasedChars) return null;
            var type = value.GetType();
            if (type != typeof(string) && type != typeof(Guid) && type != typeof(DateTime) && type != typeof(long) && type != typeof(int)
                && type != typeof(bool) && type != typeof(double)) return null;
            if (value is DateTime { Kind: not DateTimeKind.Utc } && db.Provider == DatabaseProvider.Postgres) return null;
            ref var column = ref types[i % columns];
            if (column is null) column = type;
            else if (column != type) return null;
        }
        // Wide rows (a job's records of kilobytes each) gain nothing from one statement, whose text is built, copied and
        // transcoded whole: 150 MB of 15 KB records went through 1.3 MB of large-object buffers per 17 rows, 90 gen-2
        // collections and a server 55 MB larger; row-wise each value is bound on its own, in buffers that are reused.
        if (chars > rows * MaxSetBasedRowChars) return null;
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(rows * columns * 24);
            // The relaxed encoder leaves quotes inside a value as \" and non-ASCII letters as they are: the default one
            // writes \u0022 through its slow path, and escaping a contact's provenance JSON took most of a set-based
            // insert's time (perf, CSV import). The text is read only by SQLite's JSON functions, never by a browser.
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer, RowsJson))
            {
                Span<char> text = stackalloc char[40];
                json.WriteStartArray();
                for (var row = 0; row < rows; row++)
                {
                    json.WriteStartArray();
                    for (var c = 0; c < columns; c++)
                        switch (values[row * columns + c])
                        {
                            case null: json.WriteNullValue(); break;
                            case string v: json.WriteStringValue(v); break;
                            case Guid v:
                                v.TryFormat(text, out var length);
                                for (var i = 0; i < length; i++) text[i] = char.ToUpperInvariant(text[i]);
                                json.WriteStringValue(text[..length]);
                                break;
                            case DateTime v:
                                v.TryFormat(text, out length, "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                                json.WriteStringValue(text[..length]);
                                break;
                            case long v: json.WriteNumberValue(v); break;
                            case int v: json.WriteNumberValue(v); break;
                            case bool v: json.WriteNumberValue(v ? 1 : 0); break;
                            case double v: json.WriteNumberValue(v); break;
                        }
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            var p = cmd.CreateParameter();
            p.ParameterName = "@rows";
            p.Value = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
            cmd.Parameters.Add(p);
            var select = string.Join(", ", Enumerable.Range(0, columns).Select(c => $"json_extract(r.value, '$[{c}]')"));
            // "WHERE true" keeps SQLite from reading an ON CONFLICT that follows as the join's ON clause.
            cmd.CommandText = $"{insertInto} SELECT {select} FROM json_each(@rows) AS r WHERE true ORDER BY r.key {rest}";
        }
        else
        {
            var selected = new string[columns];
            var arrays = new List<string>();
            for (var c = 0; c < columns; c++)
            {
                if (types[c] is not { } type) { selected[c] = "NULL"; continue; }
                var array = Array.CreateInstance(type == typeof(string) ? type : typeof(Nullable<>).MakeGenericType(type), rows);
                for (var row = 0; row < rows; row++) array.SetValue(values[row * columns + c], row);
                var p = cmd.CreateParameter();
                p.ParameterName = "@c" + c.ToString(CultureInfo.InvariantCulture);
                p.Value = array;
                cmd.Parameters.Add(p);
                arrays.Add(p.ParameterName);
                selected[c] = "u.c" + c.ToString(CultureInfo.InvariantCulture);
            }
            if (arrays.Count == 0) { cmd.Dispose(); return null; }
            var names = string.Join(", ", Enumerable.Range(0, columns).Where(c => types[c] is not null).Select(c => "c" + c.ToString(CultureInfo.InvariantCulture)));
            cmd.CommandText = $"{insertInto} SELECT {string.Join(", ", selected)} FROM unnest({string.Join(", ", arrays)}) WITH ORDINALITY AS u({names}, ord) ORDER BY u.ord {rest}";
        }
        return cmd;
    }

    private static async Task ReadAllAsync<TRow>(DbCommand cmd, Func<DbDataReader, TRow>? read, List<TRow> into, CancellationToken ct)
    {
        if (read is null)
        {
            await cmd.ExecuteNonQueryAsync(ct);
            return;
        }
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) into.Add(read(reader));
    }

    /// <summary>
    /// Binds the row of values starting at <paramref name="first"/> to a prepared statement's parameters, keeping each
    /// parameter (and the database type EF configured on it) when its value has the type it was created for.
    /// </summary>
    private static void Rebind(TributaryDb db, DbCommand cmd, IReadOnlyList<object?> values, Type?[] types, int first)
    {
        for (var i = 0; i < types.Length; i++)
        {
            var value = values[first + i];
            var parameter = cmd.Parameters[i];
            if (value is null) parameter.Value = DBNull.Value;
            else if (value.GetType() == types[i])
            {
                var mapping = MappingOf(db, types[i]!);
                parameter.Value = mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
            }
            else
            {
                cmd.Parameters[i] = Parameter(db, cmd, parameter.ParameterName, value);
                types[i] = value.GetType();
            }
        }
    }

    /// <summary>An entity's table as EF maps it: column names, their CLR properties and type mappings.</summary>
    private sealed class Shape<T> where T : class
    {
        private static readonly ConcurrentDictionary<Type, Shape<T>> PerProvider = new();
        private readonly string _table;
        private readonly Column[] _columns;
        private readonly Column[] _inserted;
        private readonly Column _generated;
        private readonly Column _key;

        private sealed record Column(string Name, Func<T, object?> Get, Action<T, object?> Set, RelationalTypeMapping Mapping,
            Func<DbDataReader, int, object> Read)
        {
            public object FromReader(DbDataReader reader, int i)
            {
                var value = Read(reader, i);
                return Mapping.Converter is { } converter ? converter.ConvertFromProvider(value)! : value;
            }
        }

        private Shape(TributaryDb db)
        {
            var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} is not mapped");
            _table = entity.GetTableName()!;
            var table = StoreObjectIdentifier.Table(_table, entity.GetSchema());
            var properties = entity.GetProperties().ToList();
            _columns = properties.Select(p =>
            {
                var mapping = (RelationalTypeMapping)p.GetTypeMapping();
                var providerType = mapping.Converter?.ProviderClrType ?? p.ClrType;
                providerType = Nullable.GetUnderlyingType(providerType) ?? providerType;
                return new Column(p.GetColumnName(table)!, Getter(p.PropertyInfo!), Setter(p.PropertyInfo!), mapping, Reader(providerType));
            }).ToArray();
            Column ColumnOf(IProperty property) => _columns[properties.IndexOf(property)];
            _generated = ColumnOf(properties.Single(p => p.ValueGenerated == ValueGenerated.OnAdd));
            _inserted = _columns.Where(c => c != _generated).ToArray();
            // A returned row is matched to its entity by the one-column key the database does not generate.
            _key = ColumnOf((IProperty)entity.GetKeys().Select(k => k.Properties)
                .First(ps => ps.Count == 1 && ps[0].ValueGenerated != ValueGenerated.OnAdd)[0]);
        }

        public static Shape<T> Of(TributaryDb db) => PerProvider.GetOrAdd(db.GetType(), _ => new Shape<T>(db));

        public int InsertedColumns => _inserted.Length;

        private readonly ConcurrentDictionary<string, string> _columnLists = new(StringComparer.Ordinal);

        /// <summary>Every column, in the order <see cref="Read"/> reads them.</summary>
        public string ColumnList(string? alias) =>
            _columnLists.GetOrAdd(alias ?? "", a => string.Join(", ", _columns.Select(c => a.Length == 0 ? c.Name : $"{a}.{c.Name}")));

        /// <summary>A row selected with <see cref="ColumnList"/>.</summary>
        public T Read(DbDataReader reader)
        {
            // Not new T(): entities with required members get them from the columns set next.
            var entity = Activator.CreateInstance<T>();
            for (var i = 0; i < _columns.Length; i++)
                if (!reader.IsDBNull(i)) _columns[i].Set(entity, _columns[i].FromReader(reader, i));
            return entity;
        }

        public string InsertInto => $"INSERT INTO {_table} ({string.Join(", ", _inserted.Select(c => c.Name))})";

        public string Returning => $"RETURNING {_key.Name}, {_generated.Name}";

        public void AddValues(T entity, List<object?> values)
        {
            foreach (var column in _inserted) values.Add(column.Get(entity));
        }

        public object KeyOf(T entity) => _key.Get(entity)!;

        public object ReadKey(DbDataReader reader, int i) => _key.FromReader(reader, i);

        public void SetGenerated(T entity, long value) => _generated.Set(entity, value);

        private static Func<T, object?> Getter(System.Reflection.PropertyInfo property)
        {
            var entity = Expression.Parameter(typeof(T));
            return Expression.Lambda<Func<T, object?>>(
                Expression.Convert(Expression.Property(entity, property), typeof(object)), entity).Compile();
        }

        private static Action<T, object?> Setter(System.Reflection.PropertyInfo property)
        {
            var entity = Expression.Parameter(typeof(T));
            var value = Expression.Parameter(typeof(object));
            return Expression.Lambda<Action<T, object?>>(
                Expression.Assign(Expression.Property(entity, property),
                    Expression.Convert(value, property.PropertyType)), entity, value).Compile();
        }

        private static Func<DbDataReader, int, object> Reader(Type providerType)
        {
            var reader = Expression.Parameter(typeof(DbDataReader));
            var ordinal = Expression.Parameter(typeof(int));
            var call = Expression.Call(reader,
                typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(providerType), ordinal);
            return Expression.Lambda<Func<DbDataReader, int, object>>(
                Expression.Convert(call, typeof(object)), reader, ordinal).Compile();
        }
    }

    private static async Task<bool> OpenAsync(TributaryDb db, CancellationToken ct)
    {
        if (db.Database.GetDbConnection().State == System.Data.ConnectionState.Open) return false;
        await db.Database.OpenConnectionAsync(ct);
        return true;
    }

    /// <summary>
    /// SQLite, on a connection held open (a commit batch's transaction, a run's reads): one command per statement text
    /// and connection, kept prepared and bound again with each use, until the connection closes. Measured with perf on
    /// a job of 64 workers, preparing (<c>sqlite3_prepare</c>) the same dozen statements again for every item of a commit
    /// batch was much of the third of the server's CPU spent inside SQLite. The caller does not dispose what it gets.
    /// PostgreSQL: a new command, as before (a statement there is a round trip whatever is kept here).
    /// </summary>
    private static DbCommand Prepared(TributaryDb db, string sql, IReadOnlyList<object?> args)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return Command(db, sql, args);
        var connection = db.Database.GetDbConnection();
        var commands = PreparedBy.GetValue(connection, Track);
        if (!commands.TryGetValue((sql, args.Count), out var cmd))
        {
            cmd = Command(db, sql, args);
            commands[(sql, args.Count)] = cmd;
            return cmd;
        }
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        cmd.Parameters.Clear();
        for (var i = 0; i < args.Count; i++) cmd.Parameters.Add(Parameter(db, cmd, NameOf(i), args[i]));
        return cmd;
    }

    private static readonly ConditionalWeakTable<DbConnection, Dictionary<(string Sql, int Args), DbCommand>> PreparedBy = new();

    /// <summary>A connection's prepared commands end when it closes (its pooled handle may go to another context).</summary>
    private static Dictionary<(string Sql, int Args), DbCommand> Track(DbConnection connection)
    {
        var commands = new Dictionary<(string Sql, int Args), DbCommand>();
        connection.StateChange += (_, e) =>
        {
            if (e.CurrentState == System.Data.ConnectionState.Open) return;
            foreach (var cmd in commands.Values) cmd.Dispose();
            commands.Clear();
        };
        return commands;
    }

    private static readonly string[] Names = Enumerable.Range(0, 64).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static string NameOf(int i) => i < Names.Length ? Names[i] : "@p" + i.ToString(CultureInfo.InvariantCulture);

    private static DbCommand Command(TributaryDb db, string sql, IReadOnlyList<object?> args)
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var names = new object[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            var name = NameOf(i);
            names[i] = name;
            cmd.Parameters.Add(Parameter(db, cmd, name, args[i]));
        }
        cmd.CommandText = string.Format(CultureInfo.InvariantCulture, sql, names);
        return cmd;
    }

    private static DbParameter Parameter(TributaryDb db, DbCommand cmd, string name, object? value)
    {
        if (value is not null) return MappingOf(db, value.GetType()).CreateParameter(cmd, name, value);
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = DBNull.Value;
        return p;
    }

    private static RelationalTypeMapping MappingOf(TributaryDb db, Type type) =>
        Mappings.GetOrAdd((db.GetType(), type), key =>
            db.GetService<IRelationalTypeMappingSource>().FindMapping(key.Value)
            ?? throw new InvalidOperationException($"no database type for {key.Value}"));
}
