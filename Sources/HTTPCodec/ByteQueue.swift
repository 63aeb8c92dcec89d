/// Bytes received and not yet parsed: appended at the back, consumed from the front without moving the rest
/// on every read. An empty queue holds no storage, so that thousands of idle connections cost nothing here.
public struct ByteQueue: Sendable {
    private var storage: [UInt8] = []
    private var head = 0

    public init() {}

    public init(_ bytes: [UInt8]) { storage = bytes }

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { storage.count == head }

    public subscript(offset: Int) -> UInt8 { storage[head + offset] }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
    }

    /// The offset of the first `byte` at or after `from`, or nil.
    public func firstIndex(of byte: UInt8, from: Int = 0) -> Int? {
        var i = head + from
        let end = storage.count
        while i < end {
            if storage[i] == byte { return i - head }
            i += 1
        }
        return nil
    }

    /// The first `count` bytes, removed from the queue.
    public mutating func read(_ count: Int) -> [UInt8] {
        precondition(count <= self.count)
        let bytes = Array(storage[head..<(head + count)])
        skip(count)
        return bytes
    }

    /// Appends the first `count` bytes to `target` and removes them.
    public mutating func move(_ count: Int, into target: inout [UInt8]) {
        precondition(count <= self.count)
        target.append(contentsOf: storage[head..<(head + count)])
        skip(count)
    }

    public mutating func skip(_ count: Int) {
        precondition(count <= self.count)
        head += count
        if head == storage.count { removeAll() }
    }

    /// Runs `body` on the bytes at `range` (offsets from the front) without copying them.
    public func withBytes<T, E: Error>(_ range: Range<Int>, _ body: (ArraySlice<UInt8>) throws(E) -> T) throws(E) -> T {
        try body(storage[(head + range.lowerBound)..<(head + range.upperBound)])
    }

    /// Frees the storage: what a connection does when it goes idle.
    public mutating func removeAll() {
        storage = []
        head = 0
    }

    /// Moves the unread bytes to the front once the consumed part is large and outweighs them:
    /// amortized O(1) per byte, and memory stays within twice what is unread.
    private mutating func compactIfWorthIt() {
        guard head >= 4096, head >= storage.count - head else { return }
        storage.removeSubrange(0..<head)
        head = 0
    }
}
