namespace Tributary.Core.Providers.Vendors;

/// <summary>
/// Gathers the lookups of job items waiting for one vendor into calls of its bulk endpoint (DESIGN §5.4): a batch is
/// sent as soon as it holds <c>size</c> lookups. Its size is the vendor's maximum or the number of job workers, if
/// fewer, since no more items than workers can be waiting; so n records cost at most ⌈n / size⌉ calls plus the
/// partial batches at the start and the end of a job. A batch that is not full is sent once no earlier batch of its
/// key is being answered and a <c>window</c> passed in which nobody joined (DESIGN says a window after the first
/// joined). Without them the workers split into groups that each send part of a batch for as long as
/// the job runs: measured on a 1,000-record Dropcontact job on PostgreSQL, batches of 7 and 57 in turn (28 calls,
/// not 18), and with the first rule alone, workers coming back from a batch over more than one window (20 calls).
/// Lookups wanting a different request shape (<c>key</c>: Prospeo's mobile flag) wait in batches of their own.
/// Neither wait applies to a batch that holds a lookup still in its worker slot while it waits on a vendor that answers
/// later (more items waited than may step out): the earlier batch's items need a slot to come back, and that slot is
/// held by this batch until it is sent (measured: batches of 250 and 70 in turn, each 70 held 20 s).
/// </summary>
public sealed class LookupBatcher(int size, TimeSpan window, TimeProvider time,
    Func<IReadOnlyList<ProviderQuery>, Task<IReadOnlyList<ProviderResult>>> sendMany,
    Func<ProviderQuery, Task<ProviderResult>> sendOne)
{
    private sealed record Waiting(ProviderQuery Query, TaskCompletionSource<ProviderResult> Answer, Action<ProviderResult>? Late);

    private readonly Lock _lock = new();
    private sealed class Open(long generation)
    {
        public List<Waiting> Items { get; } = [];
        public long Generation { get; } = generation;
        public long LastJoined { get; set; }
        public bool HoldsSlots { get; set; }
    }

    private readonly Dictionary<string, Open> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, TaskCompletionSource Answered)> _inFlight = new(StringComparer.Ordinal);
    /// <summary>Per key: when the last batch was answered, how many lookups it answered, and how many joined since.</summary>
    private readonly Dictionary<string, (long At, int Answered, int Back)> _lastAnswer = new(StringComparer.Ordinal);
    private long _generations;

    /// <summary>Joins the open batch of <paramref name="key"/> and waits for this lookup's part of its answer.</summary>
    /// <param name="late">
    /// Gets this lookup's answer when it comes after the lookup stopped waiting (its deadline), from a batch that was
    /// already sent: the vendor charged for it (DESIGN §5.4).
    /// </param>
    /// <param name="holdsSlot">The lookup waits on a vendor that answers later in its worker slot, having found no room to step out.</param>
    public async Task<ProviderResult> JoinAsync(ProviderQuery query, string key, CancellationToken ct, Action<ProviderResult>? late = null,
        bool holdsSlot = false)
    {
        var waiting = new Waiting(query, new TaskCompletionSource<ProviderResult>(TaskCreationOptions.RunContinuationsAsynchronously), late);
        List<Waiting>? full = null;
        long? startedGeneration = null;
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var open))
            {
                open = new Open(++_generations);
                _open[key] = open;
                startedGeneration = open.Generation;
            }
            open.Items.Add(waiting);
            open.LastJoined = time.GetTimestamp();
            open.HoldsSlots |= holdsSlot;
            if (_lastAnswer.TryGetValue(key, out var last)) _lastAnswer[key] = last with { Back = last.Back + 1 };
            if (open.Items.Count >= size)
            {
                full = open.Items;
                _open.Remove(key);
            }
        }
        if (full is not null) _ = SendAsync(key, full);
        else if (startedGeneration is { } generation) _ = SendWhenWindowEndsAsync(key, generation);
        // A lookup whose deadline passes stops waiting; the batch it was part of is still asked for the others.
        await using var stop = ct.Register(() => waiting.Answer.TrySetCanceled(ct));
        return await waiting.Answer.Task;
    }

    private async Task SendWhenWindowEndsAsync(string key, long generation)
    {
        var wait = window;
        while (true)
        {
            await Task.Delay(wait, time);
            List<Waiting>? due = null;
            Task? earlier = null;
            lock (_lock)
            {
                if (!_open.TryGetValue(key, out var open) || open.Generation != generation) return;
                var quiet = time.GetElapsedTime(open.LastJoined);
                // After an earlier batch's answer its workers settle and claim their next items before they come back:
                // under load some take longer than one window, so they are waited for up to a few windows.
                var workersComingBack = _lastAnswer.TryGetValue(key, out var last) && last.Back < last.Answered
                                        && time.GetElapsedTime(last.At) < window * ReturnWindows;
                if (!open.HoldsSlots && _inFlight.TryGetValue(key, out var flying)) earlier = flying.Answered.Task;
                else if (!open.HoldsSlots && workersComingBack) wait = window;
                else if (quiet < window) wait = window - quiet;
                else
                {
                    due = open.Items;
                    _open.Remove(key);
                }
            }
            if (due is not null)
            {
                await SendAsync(key, due);
                return;
            }
            if (earlier is not null)
            {
                await earlier;
                wait = window;
            }
        }
    }

    /// <summary>How many windows a batch waits, after an earlier one's answer, for that batch's workers to come back.</summary>
    private const int ReturnWindows = 10;

    private async Task SendAsync(string key, List<Waiting> batch)
    {
        var live = batch.Where(w => !w.Answer.Task.IsCompleted).ToList();
        if (live.Count == 0) return;
        lock (_lock)
            _inFlight[key] = _inFlight.TryGetValue(key, out var flying)
                ? (flying.Count + 1, flying.Answered)
                : (1, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            // One lookup alone goes to the vendor's single endpoint: the same answer, without a bulk envelope.
            var answers = live.Count == 1 ? [await sendOne(live[0].Query)] : await sendMany(live.Select(w => w.Query).ToList());
            for (var i = 0; i < live.Count; i++)
            {
                var answer = i < answers.Count
                    ? answers[i]
                    : VendorFailures.Error("the vendor's bulk answer has fewer records than were sent", transient: true);
                if (!live[i].Answer.TrySetResult(answer)) live[i].Late?.Invoke(answer);
            }
        }
        catch (Exception e)
        {
            foreach (var w in live) w.Answer.TrySetException(e);
        }
        finally
        {
            TaskCompletionSource? answered = null;
            lock (_lock)
            {
                _lastAnswer[key] = (time.GetTimestamp(), live.Count, 0);
                var flying = _inFlight[key];
                if (flying.Count == 1)
                {
                    _inFlight.Remove(key);
                    answered = flying.Answered;
                }
                else _inFlight[key] = (flying.Count - 1, flying.Answered);
            }
            answered?.TrySetResult();
        }
    }
}
