/// The rules ScaleGuard enforces, by their stable ids.
public enum RuleID: String, Hashable, Sendable, CaseIterable, Comparable, Codable {
    /// The object itself cannot be read (a field of the wrong type, an unknown operator).
    case readableObject = "SG000"
    case selectorOverlap = "SG001"
    case gpuTypeLabel = "SG002"
    case gpuPinning = "SG003"
    case autoscalerTarget = "SG004"
    case duplicateAutoscaler = "SG005"

    /// The readable name, also accepted in the policy file.
    public var name: String {
        switch self {
        case .readableObject: "readable-object"
        case .selectorOverlap: "selector-overlap"
        case .gpuTypeLabel: "gpu-type-label"
        case .gpuPinning: "gpu-pinning"
        case .autoscalerTarget: "autoscaler-target"
        case .duplicateAutoscaler: "duplicate-autoscaler"
        }
    }

    /// Looks a rule up by id (`SG001`) or name (`selector-overlap`).
    public init?(idOrName: String) {
        if let rule = RuleID(rawValue: idOrName.uppercased()) {
            self = rule
        } else if let rule = RuleID.allCases.first(where: { $0.name == idOrName }) {
            self = rule
        } else {
            return nil
        }
    }

    public static func < (a: RuleID, b: RuleID) -> Bool { a.rawValue < b.rawValue }
}

/// What a rule does when it finds something: refuse the object, warn, or nothing.
public enum RuleAction: String, Hashable, Sendable, Codable, CaseIterable {
    case deny, warn, off

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // YAML 1.1 reads an unquoted `off` as the boolean false; it means the action all the same.
        if let flag = try? c.decode(Bool.self), !flag {
            self = .off
            return
        }
        let raw = try c.decode(String.self)
        guard let action = RuleAction(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "rule action \"\(raw)\" must be deny, warn or off")
        }
        self = action
    }
}
