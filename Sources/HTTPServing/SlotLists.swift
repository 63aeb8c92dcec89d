/// Doubly linked lists threaded through connection slot numbers: each slot is in at most one list, and moving it
/// between lists, or out of one, is O(1). The timer wheel's buckets and the parked-connection order are built on it.
struct SlotLists {
    static let none: Int32 = -1
    private var heads: [Int32]
    private var tails: [Int32]
    private var next: [Int32] = []
    private var prev: [Int32] = []
    private var listOf: [Int32] = []
    private(set) var count = 0

    init(lists: Int) {
        heads = Array(repeating: Self.none, count: lists)
        tails = Array(repeating: Self.none, count: lists)
    }

    func list(of slot: Int32) -> Int32 { Int(slot) < listOf.count ? listOf[Int(slot)] : Self.none }
    func first(in list: Int32) -> Int32 { heads[Int(list)] }
    func after(_ slot: Int32) -> Int32 { next[Int(slot)] }

    /// Puts `slot` at the end of `list`, taking it out of any list it was in.
    mutating func append(_ slot: Int32, to list: Int32) {
        grow(to: Int(slot) + 1)
        remove(slot)
        let i = Int(slot)
        let tail = tails[Int(list)]
        prev[i] = tail
        next[i] = Self.none
        if tail != Self.none { next[Int(tail)] = slot } else { heads[Int(list)] = slot }
        tails[Int(list)] = slot
        listOf[i] = list
        count += 1
    }

    mutating func remove(_ slot: Int32) {
        let i = Int(slot)
        guard i < listOf.count, listOf[i] != Self.none else { return }
        let list = Int(listOf[i])
        if prev[i] != Self.none { next[Int(prev[i])] = next[i] } else { heads[list] = next[i] }
        if next[i] != Self.none { prev[Int(next[i])] = prev[i] } else { tails[list] = prev[i] }
        next[i] = Self.none
        prev[i] = Self.none
        listOf[i] = Self.none
        count -= 1
    }

    private mutating func grow(to size: Int) {
        guard size > next.count else { return }
        let added = max(size - next.count, next.count)
        next += repeatElement(Self.none, count: added)
        prev += repeatElement(Self.none, count: added)
        listOf += repeatElement(Self.none, count: added)
    }
}
