import JSON

extension YAMLNode {
    /// The JSON kubectl sends for this node (sigs.k8s.io/yaml: YAML 1.1 typing, then Go's encoding/json): typed
    /// plain scalars become numbers, booleans and null, map keys their Go spelling. Nil for what JSON cannot hold:
    /// a collection as a map key, an infinite or NaN number.
    public var kubectlJSON: [UInt8]? {
        var out: [UInt8] = []
        return write(to: &out) ? out : nil
    }

    private func write(to out: inout [UInt8]) -> Bool {
        switch self {
        case .mapping(let entries, _):
            out.append(UInt8(ascii: "{"))
            for (position, entry) in entries.enumerated() {
                guard let key = entry.key.keyText else { return false }
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.append(key, to: &out)
                out.append(UInt8(ascii: ":"))
                guard entry.value.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case .sequence(let items, _):
            out.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                guard item.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: out += Array("null".utf8)
            case .bool(let value): out += Array((value ? "true" : "false").utf8)
            case .int(let value): out += Array(String(value).utf8)
            case .float(let value):
                guard value.isFinite else { return false }
                // encoding/json writes a whole float64 without a point: `3.0` arrives at the API server as 3.
                let whole = value.rounded() == value && value.magnitude < 9e18
                out += Array((whole ? String(Int(value)) : "\(value)").utf8)
            case .string(let text): JSONWriter.append(text, to: &out)
            }
        }
        return true
    }
}
