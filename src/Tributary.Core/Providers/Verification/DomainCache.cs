namespace Tributary.Core.Providers.Verification;

/// <summary>
/// A small in-memory map of per-domain answers that expire after a fixed lifetime; when full, the oldest entry goes.
/// </summary>
internal sealed class DomainCache<T>(int capacity, TimeSpan lifetime, TimeProvider time)
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byAge = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    public bool TryGet(string domain, out T value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(domain, out var node))
            {
                if (node.Value.Expires > time.GetUtcNow())
                {
                    value = node.Value.Value;
                    return true;
                }
                Remove(node);
            }
        }
        value = default!;
        return false;
    }

    public void Set(string domain, T value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(domain, out var existing)) Remove(existing);
            while (_entries.Count >= capacity && _byAge.First is { } oldest) Remove(oldest);
            _entries[domain] = _byAge.AddLast(new Entry(domain, value, time.GetUtcNow() + lifetime));
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _byAge.Remove(node);
        _entries.Remove(node.Value.Domain);
    }

    private sealed record Entry(string Domain, T Value, DateTimeOffset Expires);
}
