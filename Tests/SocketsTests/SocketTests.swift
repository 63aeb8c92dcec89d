#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Primitives
import Sockets
import Testing

/// The socket calls and their errors: a failure names its call, a wait ends at its deadline or when woken.
@Suite struct SocketTests {
    @Test func aRefusedConnectionNamesTheCallAndTheAddress() throws {
        let (fd, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        Socket.close(fd)  // nothing listens there now
        #expect {
            _ = try Socket.connect(host: "127.0.0.1", port: port, timeout: 2)
        } throws: { error in
            guard case SocketError.system(let call, let code, _) = error else { return false }
            return call == "connect 127.0.0.1:\(port)" && code == ECONNREFUSED
        }
    }

    @Test func aWaitEndsAtItsDeadlineOrWhenWoken() throws {
        let (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        defer { Socket.close(listener) }
        let client = try Socket.connect(host: "127.0.0.1", port: port, timeout: 2)
        defer { Socket.close(client) }
        let started = Deadline.now
        #expect(throws: SocketError.timeout) { try Socket.wait(client, for: Int16(POLLIN), until: .after(seconds: 0.05)) }
        #expect(started.secondsSince >= 0.05)
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        _ = write(pipeEnds[1], "x", 1)
        #expect(throws: SocketError.woken) { try Socket.wait(client, for: Int16(POLLIN), until: .after(seconds: 5), wake: pipeEnds[0]) }
        Socket.close(pipeEnds[0])
        Socket.close(pipeEnds[1])
    }

    @Test func anUnknownHostIsAResolveError() {
        #expect {
            _ = try Socket.connect(host: "no-such-host.invalid", port: 1, timeout: 1)
        } throws: { error in
            guard case SocketError.system(let call, _, _) = error else { return false }
            return call == "resolve no-such-host.invalid"
        }
    }
}
