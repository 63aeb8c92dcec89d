import HTTPCodec
import JSON
import ScaleGuardCore

/// One event of a watch stream: `{"type": …, "object": …}`, its object read in one pass.
public struct WatchEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }

    public var kind: Kind
    public var object: RawObject?

    public var resourceVersion: String? { object?.resourceVersion }
}

/// Turns the body of a watch response, as its pieces arrive, into events: one JSON object per line. Lines are
/// searched from where the last search stopped, so an event arriving in many small pieces is scanned once, and
/// one event may not grow past `maxEventBytes`.
public struct WatchEventDecoder {
    private var pending = ByteQueue()
    private var scanned = 0
    public let maxEventBytes: Int
    /// Shares label keys as they are read (the cache's interner).
    public var internKey: ((String) -> String)?

    public init(maxEventBytes: Int = 64 << 20, internKey: ((String) -> String)? = nil) {
        self.maxEventBytes = maxEventBytes
        self.internKey = internKey
    }

    /// Whether a partial event is waiting for more: at the end of the stream that is an error.
    public var isMidEvent: Bool { !pending.isEmpty }

    /// Hands each complete event in `piece`, with the line it was read from, to `onEvent` until it returns false;
    /// false then.
    public mutating func decode(_ piece: [UInt8], _ onEvent: (WatchEvent, [UInt8]) throws(KubeError) -> Bool) throws(KubeError) -> Bool {
        pending.append(piece)
        while let newline = pending.firstIndex(of: 0x0A, from: scanned) {
            var line = pending.read(newline + 1)
            line.removeLast()
            scanned = 0
            guard !line.isEmpty else { continue }
            if !(try onEvent(try Self.event(line, internKey: internKey), line)) { return false }
        }
        scanned = pending.count
        guard scanned <= maxEventBytes else { throw .protocolViolation("a watch event larger than \(maxEventBytes) bytes") }
        return true
    }

    static func event(_ line: [UInt8], internKey: ((String) -> String)?) throws(KubeError) -> WatchEvent {
        let parsed: (String, RawObject?)
        do throws(JSONReadError) {
            parsed = try JSONReader.read(line, internKey: internKey) { (r) throws(JSONReadError) in
                var type = "", raw: RawObject?
                try r.object { (r, key) throws(JSONReadError) in
                    switch key {
                    case "type": type = try r.string()
                    case "object": raw = try RawObject.read(&r)
                    default: try r.skip()
                    }
                }
                return (type, raw)
            }
        } catch {
            throw .protocolViolation("watch event: \(error)")
        }
        guard let kind = WatchEvent.Kind(rawValue: parsed.0) else {
            throw .protocolViolation("unknown watch event type \"\(parsed.0)\"")
        }
        return WatchEvent(kind: kind, object: parsed.1)
    }
}
