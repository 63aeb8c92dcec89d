import Foundation
import ScaleGuardCore

/// Reads manifests from files, directories (recursively, `.yaml`, `.yml` and `.json`) and standard input (`-`).
/// Files have no size limit of their own: `kubectl get deploy -A -o yaml` of a large cluster must load.
public struct ManifestLoader: Sendable {
    public var defaultNamespace: String
    public var kinds: KindRegistry

    public init(defaultNamespace: String = "default", kinds: KindRegistry = .builtIn) {
        self.defaultNamespace = defaultNamespace
        self.kinds = kinds
    }

    public func load(_ paths: [String]) throws(ManifestError) -> [LoadedObject] {
        var loaded: [LoadedObject] = []
        for path in paths.isEmpty ? ["-"] : paths {
            for file in try files(at: path) {
                loaded += try ManifestDecoder.decode(try read(file), source: file == "-" ? "<stdin>" : file,
                                                     defaultNamespace: defaultNamespace, kinds: kinds, maxBytes: nil)
            }
        }
        return loaded
    }

    private func files(at path: String) throws(ManifestError) -> [String] {
        if path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw .unreadable(path: path, reason: "cannot list the directory")
        }
        let manifests = walker.compactMap { $0 as? String }.filter { name in
            [".yaml", ".yml", ".json"].contains { name.hasSuffix($0) }
        }
        return manifests.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    private func read(_ file: String) throws(ManifestError) -> [UInt8] {
        let handle: FileHandle?
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            handle = FileHandle(forReadingAtPath: file)
        }
        guard let handle else { throw .unreadable(path: file, reason: "permission denied or not a regular file") }
        defer { if file != "-" { try? handle.close() } }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw .unreadable(path: file, reason: error.localizedDescription)
        }
    }
}
