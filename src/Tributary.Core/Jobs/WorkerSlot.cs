namespace Tributary.Core.Jobs;

/// <summary>
/// The <c>Jobs:Workers</c> slots of one process's job worker, and a second, bounded allowance of items that wait on a
/// slow vendor outside them (DESIGN §5.4): an item whose provider waits minutes for a vendor (a Dropcontact request,
/// an Apollo phone) gives its slot to the next item while it waits, its lease still renewed, and takes a slot again
/// before it goes on. At most <c>Jobs:WaitingItems</c> wait so; past that an item waits in its slot as before.
/// </summary>
public sealed class WorkerSlots(int workers, int maxWaiting)
{
    private readonly SemaphoreSlim _slots = new(workers, workers);
    private readonly SemaphoreSlim _waiting = new(maxWaiting, Math.Max(1, maxWaiting));

    /// <summary>Slots free now (what the worker may claim).</summary>
    public int Free => _slots.CurrentCount;

    public Task EnterAsync(CancellationToken ct) => _slots.WaitAsync(ct);
    public void Leave() => _slots.Release();

    internal bool TryStepOut()
    {
        if (!_waiting.Wait(0)) return false;
        _slots.Release();
        return true;
    }

    internal async Task StepBackAsync()
    {
        try
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
        finally
        {
            _waiting.Release();
        }
    }
}

/// <summary>The worker slot the current job item holds, if any (ambient, so a provider deep in the run can step out of it).</summary>
public static class WorkerSlot
{
    private sealed class Held(WorkerSlots slots)
    {
        public WorkerSlots Slots { get; } = slots;
        public bool Away { get; set; }
    }

    private static readonly AsyncLocal<Held?> Current = new();

    /// <summary>The code that follows, in this async flow, runs in a slot of <paramref name="slots"/> it already entered.</summary>
    public static void Hold(WorkerSlots slots) => Current.Value = new Held(slots);

    /// <summary>
    /// Gives up the slot until the returned value is disposed, which waits for a slot again. Does nothing outside a job
    /// item, when the item already stepped out, or when as many items as allowed are already waiting.
    /// </summary>
    public static ValueTask<IAsyncDisposable> StepOutAsync()
    {
        var held = Current.Value;
        if (held is null || held.Away || !held.Slots.TryStepOut()) return ValueTask.FromResult(Stay);
        held.Away = true;
        return ValueTask.FromResult<IAsyncDisposable>(new Back(held));
    }

    private sealed class Back(Held held) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await held.Slots.StepBackAsync();
            held.Away = false;
        }
    }

    /// <summary>The current job item holds its worker slot (it did not step out, or could not).</summary>
    public static bool Holding => Current.Value is { Away: false };

    /// <summary>What <see cref="StepOutAsync"/> gives when the slot is kept: disposing it does nothing.</summary>
    public static readonly IAsyncDisposable Stay = new Kept();

    private sealed class Kept : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
