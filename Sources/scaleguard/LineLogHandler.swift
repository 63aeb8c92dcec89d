#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import JSON
import Logging

/// Writes one log line per event to standard error, as text or JSON, flushed at once (stderr may be a pipe).
struct LineLogHandler: LogHandler {
    enum Format: String, CaseIterable { case text, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level, message = event.message
        var fields = metadata.merging(event.metadata ?? [:]) { $1 }
        if let error = event.error { fields["error"] = "\(error)" }
        let time = Date().ISO8601Format(.iso8601.time(includingFractionalSeconds: true).year().month().day())
        var text: String
        switch format {
        case .text:
            text = "\(time) \(level) \(message)"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { text += " \(key)=\(Self.quoted("\(value)"))" }
        case .json:
            text = "{\"time\":\"\(time)\",\"level\":\"\(level)\",\"msg\":\(Self.json("\(message)"))"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { text += ",\(Self.json(key)):\(Self.json("\(value)"))" }
            text += "}"
        }
        text += "\n"
        text.withCString { _ = fputs($0, stderr) }
        fflush(stderr)
    }

    private static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? json(value) : value
    }

    private static func json(_ value: String) -> String { JSONWriter.quoted(value) }
}
