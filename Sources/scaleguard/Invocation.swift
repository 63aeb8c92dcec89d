import Foundation

/// How the binary was called: as `scaleguard`, or as the kubectl plugin `kubectl-scaleguard`.
enum Invocation {
    /// kubectl runs a plugin by its file name and passes that path as argv[0]; a symlink keeps the name.
    static let isKubectlPlugin: Bool = {
        let name = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        return name == "kubectl-scaleguard"
    }()

    static var commandName: String { isKubectlPlugin ? "kubectl scaleguard" : "scaleguard" }
}
