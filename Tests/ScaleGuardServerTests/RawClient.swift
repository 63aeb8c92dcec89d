import Foundation
import Primitives
import Sockets
import TLS

/// A TLS client that sends exactly the bytes it is given: for pipelining, dribbling and malformed requests.
final class RawClient {
    let connection: TLSConnection

    init(port: UInt16, ca: String) throws {
        let pem = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ca)))
        let context = try TLSContext.client(caBundle: pem)
        let fd = try Socket.connect(host: "127.0.0.1", port: port, timeout: 5)
        connection = try TLSConnection(context: context, fd: fd, serverName: "127.0.0.1")
        try connection.handshake(until: .after(seconds: 5))
    }

    func send(_ text: String) throws { try connection.write(Array(text.utf8), until: .after(seconds: 5)) }
    func send(_ bytes: [UInt8]) throws { try connection.write(bytes, until: .after(seconds: 10)) }

    /// Everything until the server closes, or until `seconds` pass.
    func readAll(seconds: Double = 10) -> String {
        var bytes: [UInt8] = []
        let deadline = Deadline.after(seconds: seconds)
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try connection.read(into: $0, until: deadline) }
            } catch {
                break
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads until `text` has appeared `count` times or time runs out.
    func read(until text: String, count: Int = 1, seconds: Double = 10) -> String {
        var received = ""
        let deadline = Deadline.after(seconds: seconds)
        var buffer = [UInt8](repeating: 0, count: 16384)
        while received.components(separatedBy: text).count - 1 < count {
            guard let n = try? buffer.withUnsafeMutableBytes({ try connection.read(into: $0, until: deadline) }), n > 0 else { break }
            received += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return received
    }
}
