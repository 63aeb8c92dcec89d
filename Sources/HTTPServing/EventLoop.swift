#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSystem
import Foundation
import HTTPCodec
import Primitives
import Sockets
import Synchronization
import TLS

/// Which connection a message or an epoll event is for: a slot, and the generation that tells a reused slot apart.
struct ConnectionID: Hashable, Sendable {
    var slot: Int32
    var generation: UInt32

    var epollData: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(bitPattern: slot)) }
    init(slot: Int32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }
    init(epollData: UInt64) {
        slot = Int32(bitPattern: UInt32(truncatingIfNeeded: epollData))
        generation = UInt32(truncatingIfNeeded: epollData >> 32)
    }
}

/// One thread, one epoll set, the connections it accepted. Other threads talk to it only through `post`.
final class EventLoop: @unchecked Sendable {
    enum Message: Sendable {
        case response(ConnectionID, HTTPResponse)
        case streamBytes(ConnectionID, [UInt8])
        case streamEnded(ConnectionID, cut: Bool)
        case drain, stop, evictParked
    }

    private static let listenerData = UInt64.max
    private static let wakeData = UInt64.max - 1
    /// `sg_epoll_ctl`'s operations: EPOLL_CTL_ADD, EPOLL_CTL_MOD and EPOLL_CTL_DEL, as the shim numbers them.
    private static let (add, modify, remove): (Int32, Int32, Int32) = (0, 1, 2)
    /// Connections over the limit allowed while another loop closes a parked one to make room.
    private static let overshoot = 64

    let index: Int
    let server: HTTPServer
    private let epfd: Int32
    private let wakeFD: Int32
    private let listener: Int32
    private let inbox = Mutex<[Message]>([])
    private let wakePending = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let drainFlag = Atomic<Bool>(false)

    // Owned by the loop's thread.
    private var slots: [Connection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int32] = []
    private var parked = SlotLists(lists: 1)
    private var timers: TimerWheel
    private(set) var now: UInt64
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var live = 0
    private var listening = false
    private var acceptPausedUntil: UInt64 = 0
    private var acceptBackoff: UInt64 = 50_000_000

    init(index: Int, server: HTTPServer, listener: Int32) throws(SocketError) {
        self.index = index
        self.server = server
        self.listener = listener
        epfd = sg_epoll_create()
        wakeFD = sg_eventfd()
        guard epfd >= 0, wakeFD >= 0 else { throw Socket.systemError("epoll_create1/eventfd") }
        now = Deadline.now.nanoseconds
        timers = TimerWheel(now: now)
        _ = sg_epoll_ctl(epfd, Self.add, wakeFD, sg_epollin, Self.wakeData)
        listen()
    }

    deinit {
        scratch.deallocate()
        Socket.close(epfd)
        Socket.close(wakeFD)
    }

    var isDraining: Bool { drainFlag.load(ordering: .relaxed) }
    var hasStopped: Bool { stopped.load(ordering: .acquiring) }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "scaleguard-loop-\(index)"
        thread.start()
    }

    /// Hands `message` to the loop from any thread and wakes it.
    func post(_ message: Message) {
        inbox.withLock { $0.append(message) }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) { sg_eventfd_signal(wakeFD) }
    }

    // MARK: - The loop

    private func run() {
        var kinds = [UInt32](repeating: 0, count: 256)
        var datas = [UInt64](repeating: 0, count: 256)
        defer {
            for case let connection? in slots { connection.close() }
            stopped.store(true, ordering: .releasing)
        }
        while true {
            let timeout: Int32 = timers.isEmpty && listening ? -1 : Int32(TimerWheel.tickNanoseconds / 1_000_000)
            let n = sg_epoll_wait(epfd, &kinds, &datas, 256, timeout)
            now = Deadline.now.nanoseconds
            for i in 0..<max(0, Int(n)) {
                switch datas[i] {
                case Self.listenerData: acceptConnections()
                case Self.wakeData: sg_eventfd_drain(wakeFD)
                default: connection(ConnectionID(epollData: datas[i]))?.drive()
                }
            }
            if !processInbox() { return }
            for slot in timers.advance(to: now) { slots[Int(slot)]?.timedOut() }
            if !listening, !isDraining, now >= acceptPausedUntil { listen() }
            if isDraining, live == 0 { return }
        }
    }

    /// Applies what other threads posted; false when the loop must stop at once.
    private func processInbox() -> Bool {
        wakePending.store(false, ordering: .releasing)
        let messages = inbox.withLock { box -> [Message] in
            defer { box = [] }
            return box
        }
        for message in messages {
            switch message {
            case .response(let id, let response): connection(id)?.finish(response)
            case .streamBytes(let id, let bytes): connection(id)?.streamed(bytes)
            case .streamEnded(let id, let cut): connection(id)?.streamEnded(cut: cut)
            case .evictParked: _ = evictOldestParked()
            case .stop: return false
            case .drain:
                guard !drainFlag.exchange(true, ordering: .relaxed) else { continue }
                unlisten()
                server.releaseListener(listener)
                for case let connection? in slots { connection.serverDraining() }
            }
        }
        return true
    }

    private func connection(_ id: ConnectionID) -> Connection? {
        guard id.slot >= 0, Int(id.slot) < slots.count, generations[Int(id.slot)] == id.generation else { return nil }
        return slots[Int(id.slot)]
    }

    // MARK: - Accepting

    private func listen() {
        listening = sg_epoll_ctl(epfd, Self.add, listener, sg_epollin | sg_epollexclusive, Self.listenerData) == 0
    }

    private func unlisten() {
        guard listening else { return }
        _ = sg_epoll_ctl(epfd, Self.remove, listener, 0, 0)
        listening = false
    }

    private func acceptConnections() {
        for _ in 0..<64 {
            let fd = sg_accept(listener)
            guard fd >= 0 else {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop looking at the listener for a while instead of spinning on it.
                    unlisten()
                    acceptPausedUntil = now + acceptBackoff
                    acceptBackoff = min(acceptBackoff * 2, 1_000_000_000)
                    server.events.connectionDropped("files")
                    server.acceptFailures.warning(
                        "cannot accept connections: \(String(cString: strerror(code))); "
                            + "paused for \(acceptBackoff / 2_000_000) ms (raise the open-file limit or lower --max-connections)")
                    return
                default:
                    server.acceptFailures.warning("accept failed: \(String(cString: strerror(code)))")
                    return
                }
            }
            acceptBackoff = 50_000_000
            Socket.prepareAccepted(fd)
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        let limit = server.maxConnections
        let open = server.connections.load(ordering: .relaxed)
        if open >= limit, !evictOldestParked() {
            guard open < limit + Self.overshoot else {
                Socket.close(fd)
                server.events.connectionDropped("limit")
                server.refusals.warning("connection refused: \(limit) connections open and none of them idle")
                return
            }
            server.evictElsewhere(except: index)
        }
        let transport: Transport
        if let context = server.tlsContext {
            do {
                transport = .tls(try TLSConnection(context: context(), fd: fd))
            } catch {
                server.acceptFailures.warning("cannot start a TLS connection: \(error)")
                return
            }
        } else {
            transport = .plain(PlainSocket(fd: fd))
        }
        server.connections.add(1, ordering: .relaxed)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(slots.count)
            slots.append(nil)
            generations.append(0)
        }
        let connection = Connection(id: ConnectionID(slot: slot, generation: generations[Int(slot)]), transport: transport, loop: self)
        slots[Int(slot)] = connection
        live += 1
        guard sg_epoll_ctl(epfd, Self.add, fd, sg_epollin | sg_epollout | sg_epollrdhup | sg_epollet, connection.id.epollData) == 0 else {
            connection.close()
            return
        }
        connection.drive()
    }

    // MARK: - For connections

    /// A connection with nothing in progress: first to go when room is needed, oldest first.
    func park(_ connection: Connection) { parked.append(connection.id.slot, to: 0) }
    func unpark(_ connection: Connection) { parked.remove(connection.id.slot) }

    func setDeadline(_ connection: Connection, _ deadline: UInt64?) {
        if let deadline { timers.set(connection.id.slot, deadline: deadline) } else { timers.cancel(connection.id.slot) }
    }

    /// Called once by a connection as it closes: frees its slot for the next one.
    func release(_ connection: Connection) {
        let slot = connection.id.slot
        timers.cancel(slot)
        parked.remove(slot)
        slots[Int(slot)] = nil
        generations[Int(slot)] &+= 1
        freeSlots.append(slot)
        live -= 1
        server.connections.subtract(1, ordering: .relaxed)
    }

    private func evictOldestParked() -> Bool {
        let oldest = parked.first(in: 0)
        guard oldest != SlotLists.none, let connection = slots[Int(oldest)] else { return false }
        server.events.connectionDropped("evicted")
        connection.close()
        return true
    }
}
