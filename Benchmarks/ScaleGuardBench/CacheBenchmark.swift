#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSystem
import FakeKubeAPI
import Foundation
import KubeClient
import Logging
import ScaleGuardCore

/// List + watch of many Deployments from a fake API server in another process: time to ready, memory, event rate.
enum CacheBenchmark {
    /// A line of /proc/self/status in KiB (VmRSS, VmHWM).
    static func memory(_ field: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func run(count: Int) {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-bench-\(getpid())").path
        let gen = Process()
        gen.executableURL = root.appendingPathComponent("certs/generate.sh")
        gen.arguments = ["--out", dir]
        gen.standardOutput = FileHandle.nullDevice
        gen.standardError = FileHandle.nullDevice
        try? gen.run()
        gen.waitUntilExit()

        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        fake.arguments = ["fake-api", String(count), dir]
        let toFake = Pipe(), fromFake = Pipe()
        fake.standardInput = toFake
        fake.standardOutput = fromFake
        do { try fake.run() } catch {
            print("cannot start the fake API server: \(error)")
            return
        }
        defer { fake.terminate() }
        let lines = LineReader(fromFake.fileHandleForReading)
        guard let first = lines.next(), first.hasPrefix("port "), let port = UInt16(first.dropFirst(5)) else {
            print("the fake API server did not start")
            return
        }
        let kubeconfig = "\(dir)/kubeconfig"
        try? Data(FakeKubeAPI.kubeconfig(port: port, ca: "\(dir)/ca.crt").utf8).write(to: URL(fileURLWithPath: kubeconfig))

        let baseline = memory("VmRSS")
        let heapBefore = sg_heap_in_use()
        let started = Date()
        let watcher: ClusterWatcher
        do {
            let endpoint = try KubeConfig.load(kubeconfig).endpoint().endpoint
            var options = ClusterWatcher.Options()
            options.resources = [.deployments]
            watcher = ClusterWatcher(client: KubeAPIClient(endpoint: endpoint), options: options, logger: Logger(label: "bench"))
        } catch {
            print("\(error)")
            return
        }
        watcher.start()
        guard watcher.waitForSync(seconds: 600) else {
            print("did not sync: \(watcher.cache.notReadyReasons)")
            return
        }
        let ready = Date().timeIntervalSince(started)
        let cached = watcher.cache.view.workloadCount
        sg_malloc_trim()  // hand freed list buffers back, so that RSS shows what the cache holds
        let rss = memory("VmRSS"), peak = memory("VmHWM")
        print("\(cached) Deployments listed in pages of 500 from a fake API server (another process), 20 namespaces")
        print("start to ready:           \(String(format: "%.2f", ready)) s")
        print("resident memory:          \(baseline / 1024) MiB before, \(rss / 1024) MiB after sync, peak \(peak / 1024) MiB")
        let heap = Double(sg_heap_in_use() - heapBefore) / Double(max(cached, 1))
        print(
            "resident per Deployment:  \(String(format: "%.0f", Double(rss - baseline) * 1024 / Double(max(cached, 1)))) bytes RSS, "
                + "\(String(format: "%.0f", heap)) bytes of live heap (target < 1024)"
        )

        let events = min(count, 50_000)
        toFake.fileHandleForWriting.write(Data("churn \(events)\n".utf8))
        _ = lines.next()  // the fake has recorded every event
        let churnStart = Date()
        let lastIndex = (events - 1) % count
        let lastName = "model-\(lastIndex % 1000)-gpu-\(lastIndex)"
        while Date().timeIntervalSince(churnStart) < 300 {
            let generation = watcher.cache.view
                .workload(namespace: "ns-\(lastIndex % 20)", id: ObjectID(kind: "Deployment", name: lastName))?.templateLabels["generation"]
            if generation == "1" { break }
            usleep(1000)
        }
        let seconds = Date().timeIntervalSince(churnStart)
        print(
            "watch events applied:     \(events) MODIFIED in \(String(format: "%.2f", seconds)) s = \(Int(Double(events) / seconds)) "
                + "events/s"
        )
        watcher.stop()
    }

    /// The overlap index alone, built in memory: what the cache costs without the list path's garbage.
    static func indexMemory(count: Int) {
        let before = memory("VmRSS")
        let heapBefore = sg_heap_in_use()
        var view = ClusterView()
        for i in 0..<count {
            let name = "model-\(i % 1000)-gpu-\(i)"
            view.upsert(
                .workload(
                    Workload(
                        namespace: "ns-\(i % 20)", name: name,
                        selector: LabelSelector(matchLabels: [
                            "model.aibrix.ai/name": "model-\(i % 1000)", "scaleguard.io/gpu-type": "t\(i)",
                        ]),
                        templateLabels: [
                            "model.aibrix.ai/name": "model-\(i % 1000)", "scaleguard.io/gpu-type": "t\(i)", "app": name,
                            "model.aibrix.ai/port": "8000", "generation": "0",
                        ],
                        extendedResources: ["nvidia.com/gpu"],
                        pinning: NodePinning(nodeSelector: ["nvidia.com/gpu.product": "NVIDIA-T\(i)"]))))
        }
        sg_malloc_trim()
        let after = memory("VmRSS")
        print(
            "index alone: \(view.workloadCount) Deployments, "
                + "\(String(format: "%.0f", Double(after - before) * 1024 / Double(count))) bytes of RSS, "
                + "\(Int(sg_heap_in_use() - heapBefore) / count) of live heap each"
        )
    }
}

/// Lines from a pipe, one at a time.
final class LineReader {
    let handle: FileHandle
    var buffer = Data()
    init(_ handle: FileHandle) { self.handle = handle }
    func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let data = handle.availableData
            if data.isEmpty { return nil }
            buffer += data
        }
    }
}
