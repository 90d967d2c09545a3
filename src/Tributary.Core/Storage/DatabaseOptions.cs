using System.ComponentModel.DataAnnotations;

namespace Tributary.Core.Storage;

public sealed class DatabaseOptions
{
    public const string Section = "Tributary:Database";

    [Required]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = "Data Source=tributary.db";
}
