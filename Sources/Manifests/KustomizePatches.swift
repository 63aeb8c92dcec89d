import Foundation
import Primitives
import YAML

/// The files a kustomization next to a manifest names as patches (`patches[].path`, `patchesStrategicMerge`,
/// `patchesJson6902[].path`): fragments that kustomize merges into a base, never applied alone. Read once per
/// folder; a kustomization that cannot be read names nothing.
struct KustomizePatches {
    private var byFolder: [String: [String: String]] = [:]

    static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// The kustomization that lists `file` as a patch, if one in its own folder does.
    mutating func kustomization(listing file: String) -> String? {
        let path = URL(fileURLWithPath: file).standardizedFileURL.path
        let folder = (path as NSString).deletingLastPathComponent
        if byFolder[folder] == nil { byFolder[folder] = Self.patches(in: folder) }
        return byFolder[folder]?[path]
    }

    /// Patch path → the kustomization that names it, for the kustomization in `folder`.
    private static func patches(in folder: String) -> [String: String] {
        for name in fileNames {
            let file = (folder as NSString).appendingPathComponent(name)
            guard let bytes = try? BoundedFile.read(file, limit: 1 << 20),
                let root = (try? YAMLParser.parse(bytes))?.first ?? nil
            else { continue }
            var named: [String: String] = [:]
            for entry in paths(in: root) {
                named[URL(fileURLWithPath: folder).appendingPathComponent(entry).standardizedFileURL.path] = file
            }
            return named
        }
        return [:]
    }

    private static func paths(in root: YAMLNode) -> [String] {
        var paths: [String] = []
        for key in ["patches", "patchesJson6902", "patchesStrategicMerge"] {
            guard case .sequence(let items, _)? = root[key] else { continue }
            for item in items {
                if let path = item.scalarText ?? item["path"]?.scalarText, !path.contains("\n") { paths.append(path) }
            }
        }
        return paths
    }
}
