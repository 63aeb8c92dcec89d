import JSON
import ScaleGuardCore
import YAML

/// Whether ScaleGuard's two field maps read a document alike: the Codable one manifests go through, and the
/// streaming one the admission path and the watch use, given the JSON kubectl would send for the document. The
/// property the `manifest` fuzz target and `ReaderAgreementTests` hold both readers to.
public enum ReaderAgreement {
    /// Nil when both read the same object or both refuse it (or the document cannot be JSON); otherwise what each
    /// one made of it.
    public static func disagreement(in node: YAMLNode, kinds: KindRegistry = .builtIn) -> String? {
        // Only objects both can name: apiVersion and kind are strings (the API server sends nothing else; `check`
        // refuses a number there, and calls a document without them not a manifest), and not a `List`, which `check`
        // reads item by item (the API server sends one object at a time).
        guard node.isMapping, let apiVersion = string(node["apiVersion"]), !apiVersion.isEmpty, let kind = string(node["kind"]),
            !kind.isEmpty, !kind.hasSuffix("List"), let json = node.kubectlJSON
        else { return nil }
        var decoder = YAMLDecoder()
        decoder.userInfo[KubeObject.kindsKey] = kinds
        let codable = Result { () throws(YAMLError) in try decoder.decode(KubeObject.self, from: node) }
        let streamed = Result { () throws(JSONReadError) in try KubeObject.read(json: json, kinds: kinds) }
        switch (codable, streamed) {
        case (.success(let a), .success(let b)):
            return a == b ? nil : "Codable read \(a); the streaming reader read \(b)"
        case (.failure, .failure):
            return nil
        case (.success(let a), .failure(let error)):
            return "Codable read \(a); the streaming reader refused it: \(error)"
        case (.failure(let error), .success(let b)):
            return "Codable refused it: \(error); the streaming reader read \(b)"
        }
    }

    private static func string(_ node: YAMLNode?) -> String? {
        guard case .scalar(let scalar)? = node, case .string(let text) = scalar.resolved else { return nil }
        return text
    }
}
