using Npgsql;
using Tributary.Core.Storage;

namespace Tributary.Tests.Storage;

/// <summary>Frequent statements are prepared on the PostgreSQL server unless the operator's connection string says otherwise.</summary>
public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("Host=db;Username=tributary", 64)]
    [InlineData("Host=db;Username=tributary;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Username=tributary;MaxAutoPrepare=10", 10)]
    public void Automatic_preparation_is_on_unless_the_connection_string_sets_it(string given, int expected)
    {
        var built = new NpgsqlConnectionStringBuilder(TributaryDbFactory.PostgresConnectionString(given));
        built.MaxAutoPrepare.ShouldBe(expected);
        built.Host.ShouldBe("db");
        built.Username.ShouldBe("tributary");
    }
}
