namespace Tributary.Core.Storage;

/// <summary>
/// PostgreSQL ends one of two transactions that wait on each other (40P01; 40001 where a serialization check fails). The
/// loser's work was rolled back whole, so it may simply run again: by then the winner has committed, and the retry sees it.
/// </summary>
public static class Deadlocks
{
    private const int Attempts = 5;

    /// <summary>Runs <paramref name="attempt"/> (one whole transaction) again after a deadlock, at most five times in all.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> attempt, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (tries < Attempts && Is(e))
            {
                await Task.Delay(20 * tries, ct);
            }
        }
    }

    public static bool Is(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is Npgsql.PostgresException { SqlState: "40P01" or "40001" }) return true;
        return false;
    }
}
