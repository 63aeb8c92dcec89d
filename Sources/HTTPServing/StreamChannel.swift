import Foundation
import HTTPCodec

/// Carries a streamed response body from the thread that produces it to the connection's loop, holding the
/// producer back while the client is slower than it, and failing its writes once the connection is gone.
final class StreamChannel: ChunkWriter, @unchecked Sendable {
    private let loop: any ConnectionLoop
    private let id: ConnectionID
    private let condition = NSCondition()
    /// Bytes handed to the loop and not yet written to the socket; guarded by `condition`.
    private var queued = 0
    private var closed = false
    private static let highWater = 1 << 20

    init(loop: any ConnectionLoop, id: ConnectionID) {
        self.loop = loop
        self.id = id
    }

    /// Runs `produce` on a thread of its own: a stream can last minutes, which no loop or worker may wait out.
    func start(_ produce: @escaping @Sendable (any ChunkWriter) throws -> Void) {
        let thread = Thread { [self, loop, id] in
            let cut: Bool
            do {
                try produce(self)
                cut = false
            } catch {
                cut = true
            }
            loop.post(.streamEnded(id, cut: cut))
        }
        thread.name = "scaleguard-stream"
        thread.start()
    }

    struct Closed: Error {}

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        condition.lock()
        while queued > Self.highWater, !closed { condition.wait() }
        guard !closed else {
            condition.unlock()
            throw Closed()
        }
        queued += bytes.count
        condition.unlock()
        loop.post(.streamBytes(id, bytes))
    }

    /// The loop wrote everything handed to it.
    func drained() {
        condition.lock()
        queued = 0
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
