import Foundation
import Synchronization

/// A plugin process's standard output, read to a limit, and its standard error, passed through to ours as it comes
/// (a device-code login prints its URL there) and kept in part for the message when it fails.
final class PluginOutput: Sendable {
    private struct State {
        var stdout: [UInt8] = []
        var stderrTail: [UInt8] = []
        var overflowed = false
    }

    private let state = Mutex(State())
    private let readers = DispatchGroup()
    private let exited = DispatchSemaphore(value: 0)
    private let limit: Int
    private let process: Process

    init(process: Process, limit: Int) {
        self.process = process
        self.limit = limit
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.terminationHandler = { [exited] _ in exited.signal() }
        read(out.fileHandleForReading) { [self] chunk in
            state.withLock { state in
                guard chunk.count <= limit - state.stdout.count else {
                    state.overflowed = true
                    return false
                }
                state.stdout += chunk
                return true
            }
        }
        read(err.fileHandleForReading) { [self] chunk in
            FileHandle.standardError.write(Data(chunk))
            state.withLock { state in
                state.stderrTail += chunk
                if state.stderrTail.count > 8192 { state.stderrTail.removeFirst(state.stderrTail.count - 8192) }
            }
            return true
        }
    }

    var overflowed: Bool { state.withLock { $0.overflowed } }

    /// Waits for the process to exit and its pipes to close; past `timeout`, or once its output overflows, stops it.
    func wait(timeout: Double) -> Bool {
        let end = DispatchTime.now() + .milliseconds(Int(timeout * 1000))
        var finished = false
        while !finished {
            if exited.wait(timeout: min(end, .now() + .milliseconds(100))) == .success {
                finished = true
            } else if overflowed || DispatchTime.now() >= end {
                // Killed outright: a shell plugin waiting on its own child may not act on SIGTERM until that ends.
                kill(process.processIdentifier, SIGKILL)
                _ = exited.wait(timeout: .now() + 1)
                return overflowed
            }
        }
        // A child of the plugin may hold its pipes open: the output is what arrived by now.
        _ = readers.wait(timeout: .now() + 2)
        return true
    }

    func collected() -> (stdout: [UInt8], stderr: [UInt8]) {
        state.withLock { ($0.stdout, $0.stderrTail) }
    }

    private func read(_ handle: FileHandle, _ take: @escaping @Sendable ([UInt8]) -> Bool) {
        readers.enter()
        let thread = Thread { [readers] in
            defer { readers.leave() }
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0, take(Array(buffer[0..<count])) else { break }
            }
        }
        thread.start()
    }
}
