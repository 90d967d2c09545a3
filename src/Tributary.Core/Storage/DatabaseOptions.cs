namespace Tributary.Core.Storage;

/// <summary><c>Tributary:Database</c> (DESIGN §12).</summary>
public sealed class DatabaseOptions : IValidatedOptions
{
    public static string Section => "Tributary:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    public string ConnectionString { get; set; } = "Data Source=tributary.db";

    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(Provider)) yield return $"{Section}:Provider must be Sqlite or Postgres, not '{Provider}'";
        if (string.IsNullOrWhiteSpace(ConnectionString)) yield return $"{Section}:ConnectionString must not be empty";
    }
}
