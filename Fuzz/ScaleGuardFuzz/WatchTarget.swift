import HTTPCodec
import KubeClient
import ScaleGuardCore

/// A watch response as the API server's socket delivers it: a head, a chunked body, one JSON event per line.
/// Property: no crash, every event line obeys the event limit, and objects build or fail with an error.
enum WatchTarget {
    static func run(_ bytes: [UInt8]) {
        var limits = HTTPLimits(maxLineBytes: 1024, maxHeadBytes: 4096, maxHeaderCount: 32, maxBodyBytes: .max)
        limits.maxBodyBytes = .max
        var decoder = HTTPResponseDecoder(limits: limits)
        var input = ByteQueue(bytes)
        var events = WatchEventDecoder(maxEventBytes: 8192)
        do {
            guard try decoder.decodeHead(&input) != nil else { return }
            var piece: [UInt8] = []
            let done = try decoder.decodeBody(&input, into: &piece)
            _ = try events.decode(piece) { (event, line) throws(KubeError) in
                if let raw = event.object { _ = try? KubeObject(raw: raw, kinds: .builtIn, text: line) }
                return true
            }
            _ = done
        } catch {
            return
        }
    }
}
