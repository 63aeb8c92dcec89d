import Foundation
import ScaleGuardCore

/// Reads manifests from files, directories (recursively, `.yaml`, `.yml` and `.json`) and standard input (`-`), as
/// a CI check should: every file is read, every unreadable one is reported, and what is not a manifest is skipped.
/// Files have no size limit of their own: `kubectl get deploy -A -o yaml` of a large cluster must load.
public struct ManifestLoader: Sendable {
    public var defaultNamespace: String
    public var kinds: KindRegistry
    /// Regular expressions (kubeconform's `-ignore-filename-pattern`): a file whose path matches one is not read.
    public var ignoredPatterns: [String]

    public init(defaultNamespace: String = "default", kinds: KindRegistry = .builtIn, ignoredPatterns: [String] = []) {
        self.defaultNamespace = defaultNamespace
        self.kinds = kinds
        self.ignoredPatterns = ignoredPatterns
    }

    /// Every file under `paths`. Throws only for a pattern that is not a regular expression.
    public func read(_ paths: [String]) throws(ManifestError) -> ManifestRead {
        let patterns = try compiledPatterns()
        var read = ManifestRead()
        var patches = KustomizePatches()
        for path in paths.isEmpty ? ["-"] : paths {
            let files: [String]
            do throws(ManifestError) {
                files = try self.files(at: path)
            } catch {
                read.problems.append(ManifestProblem(source: path, message: error.reason))
                continue
            }
            for file in files {
                if file != "-", patterns.contains(where: { file.contains($0) }) {
                    read.skipped.append(SkippedInput(source: file, reason: "matches --ignore-filename-pattern"))
                    continue
                }
                if file != "-", let chart = Self.chartHolding(template: file) {
                    read.skipped.append(
                        SkippedInput(source: file, reason: "a template of the Helm chart in \(chart): render it first (helm template)"))
                    continue
                }
                if file != "-", let kustomization = patches.kustomization(listing: file) {
                    read.skipped.append(
                        SkippedInput(source: file, reason: "a patch that \(kustomization) applies: render it first (kustomize build)"))
                    continue
                }
                let source = file == "-" ? "<stdin>" : file
                do throws(ManifestError) {
                    read.append(
                        try ManifestDecoder.read(
                            try bytes(of: file), source: source, defaultNamespace: defaultNamespace,
                            kinds: kinds, maxBytes: nil))
                } catch {
                    read.problems.append(ManifestProblem(source: source, message: error.reason))
                }
            }
        }
        return read
    }

    /// The objects under `paths`, for input that must be all manifests (a cluster's state): the first problem throws.
    public func load(_ paths: [String]) throws(ManifestError) -> [LoadedObject] {
        let read = try read(paths)
        if let problem = read.problems.first { throw .invalid(path: problem.source, reason: problem.located) }
        if let skipped = read.skipped.first { throw .invalid(path: skipped.source, reason: "not a manifest: \(skipped.reason)") }
        return read.objects
    }

    private func compiledPatterns() throws(ManifestError) -> [Regex<AnyRegexOutput>] {
        var compiled: [Regex<AnyRegexOutput>] = []
        for pattern in ignoredPatterns {
            do {
                compiled.append(try Regex(pattern))
            } catch {
                throw .invalid(path: "--ignore-filename-pattern", reason: "\"\(pattern)\" is not a regular expression: \(error)")
            }
        }
        return compiled
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
        var manifests: [String] = []
        while let name = walker.nextObject() as? String {
            // .git, .github and other hidden folders hold no manifests to check.
            if (name as NSString).lastPathComponent.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            if [".yaml", ".yml", ".json"].contains(where: { name.hasSuffix($0) }) { manifests.append(name) }
        }
        return manifests.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    /// The chart folder when `file` sits under a `templates` folder beside a `Chart.yaml`.
    static func chartHolding(template file: String) -> String? {
        let parts = file.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        for index in parts.indices.reversed() where parts[index] == "templates" {
            let chart = parts[..<index].joined(separator: "/")
            let folder = chart.isEmpty ? (file.hasPrefix("/") ? "/" : ".") : chart
            if FileManager.default.fileExists(atPath: folder + "/Chart.yaml") { return folder }
        }
        return nil
    }

    private func bytes(of file: String) throws(ManifestError) -> [UInt8] {
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
