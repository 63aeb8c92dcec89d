#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

// One libFuzzer executable for every target; FUZZ_TARGET picks one. scripts/fuzz.sh builds and runs them.
//   FUZZ_TARGET=http-request .build-fuzz/release/ScaleGuardFuzz WORK_CORPUS Fuzz/corpus/http-request -max_total_time=60

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let targets: [String: @Sendable ([UInt8]) -> Void] = [
    "http-request": CodecTargets.request,
    "http-response": CodecTargets.response,
    "review": ReviewTarget.run,
    "manifest": ManifestTarget.run,
    "selector": SelectorTarget.run,
    "policy": ConfigTargets.policy,
    "kubeconfig": ConfigTargets.kubeconfig,
    "watch": WatchTarget.run,
]

let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
guard let chosen = targets[name] else {
    FileHandle.standardError.write(Data("set FUZZ_TARGET to one of: \(targets.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
let selected = chosen
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    })

/// A property that must hold: when it does not, the message is printed (release builds drop `precondition`'s) and
/// the process aborts, so that libFuzzer keeps the input.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
