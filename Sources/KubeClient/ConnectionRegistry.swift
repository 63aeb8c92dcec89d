import Foundation
import Synchronization

/// The sockets a client has open, so that stopping it wakes every thread blocked in a read on one of them: a
/// one-shot command must not exit while a watch thread is still inside OpenSSL (the process's clean-up at exit
/// frees what that thread is using).
final class ConnectionRegistry: Sendable {
    private struct State {
        var fds: Set<Int32> = []
        var closed = false
    }

    private let state = Mutex(State())

    /// Adds `fd`; false once the client has been shut down (the caller closes it and gives up).
    func register(_ fd: Int32) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.fds.insert(fd)
            return true
        }
    }

    /// Removed before the socket is closed: under the lock, so that `shutDown` never touches a number reused since.
    func unregister(_ fd: Int32) {
        _ = state.withLock { $0.fds.remove(fd) }
    }

    /// Refuses new connections and ends every open one's reads and writes at once.
    func shutDown() {
        state.withLock { state in
            state.closed = true
            for fd in state.fds { _ = Foundation.shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }
}
