namespace Bridge.Rules.Inspection;

/// <summary>
/// Per-worker flowbits storage beside the worker's flow table: one row of words per flow slot,
/// tagged with the flow id that owns it. A slot reused by a new flow has a different id, so its
/// row is cleared on first use; nothing in the pipeline needs to tell us when a flow ends.
/// </summary>
internal sealed class FlowStateTable
{
    private readonly ulong[] _bits;
    private readonly uint[] _owner;
    private readonly int _words;

    public FlowStateTable(int capacity, int words)
    {
        _words = words;
        _bits = new ulong[(long)capacity * words];
        _owner = new uint[capacity];
    }

    public int Capacity => _owner.Length;

    /// <summary>The flow's bits; empty when the slot is outside the table.</summary>
    public Span<ulong> For(int slot, uint flowId)
    {
        if ((uint)slot >= (uint)_owner.Length) return [];
        var row = _bits.AsSpan(slot * _words, _words);
        if (_owner[slot] != flowId)
        {
            row.Clear();
            _owner[slot] = flowId;
        }
        return row;
    }
}
