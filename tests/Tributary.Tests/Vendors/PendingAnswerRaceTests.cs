using System.Text.Json;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>A vendor's hook racing the run that starts waiting for it: the run gets the answer whichever comes first.</summary>
public abstract class PendingAnswerRaceTests(TributaryApp app)
{
    [DbFact]
    public async Task A_hook_racing_the_start_of_its_wait_is_never_lost()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 0);
        var answers = new PendingAnswers(new TributaryDbFactory(app.Database.Options), null, TimeProvider.System)
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        var query = new ProviderQuery(ws.Id, new Dictionary<string, JsonElement>(), ["phone"]);
        var run = Guid.NewGuid().ToString("N")[..8];

        var races = Enumerable.Range(0, 100).Select(async i =>
        {
            var key = $"race-{run}-{i}";
            var answer = $"{{\"n\":{i}}}";
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var waiting = Task.Run(async () =>
            {
                var row = await answers.BeginAsync("apollo", key, query, ["phone"], DateTime.UtcNow.AddMinutes(1), CancellationToken.None);
                return await answers.AwaitAsync(row, deadline.Token);
            });
            var hook = Task.Run(() => answers.AnswerAsync("apollo", key, answer, CancellationToken.None));
            await hook;
            return (Expected: answer, Got: await waiting);
        });

        var results = await Task.WhenAll(races);
        results.Where(r => r.Got != r.Expected).ShouldBeEmpty();
    }
}

public sealed class PendingAnswerRaceTests_Sqlite(SqliteApp app) : PendingAnswerRaceTests(app), IClassFixture<SqliteApp>;

public sealed class PendingAnswerRaceTests_Postgres(PostgresApp app) : PendingAnswerRaceTests(app), IClassFixture<PostgresApp>, IPostgresTests;
