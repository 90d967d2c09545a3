namespace Tributary.Tests.Infrastructure;

/// <summary>Waiting for background work (jobs, webhooks) to show through the API.</summary>
public static class Polling
{
    /// <summary>Asks again until the answer is <paramref name="done"/>; fails the test when it never is.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> ask, Func<T, bool> done, string what, int attempts = 300, int delayMs = 50)
    {
        for (var i = 0; i < attempts; i++)
        {
            var answer = await ask();
            if (done(answer)) return answer;
            await Task.Delay(delayMs);
        }
        throw new TimeoutException($"{what} did not finish");
    }
}
