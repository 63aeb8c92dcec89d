import Foundation

/// Runs the built `scaleguard` binary as a user would, and collects what it prints.
struct CommandRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        // The test bundle sits in the build folder next to the products.
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("scaleguard")
    }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// A fresh directory with `files` written into it.
    static func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scaleguard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }
}

/// Manifests of the story that started ScaleGuard: one model on A100 and A40 nodes.
enum StoryManifests {
    static func deployment(_ name: String, gpu: String, product: String, selector: [String: String]) -> String {
        let labels = ["model.aibrix.ai/name": "llama", "scaleguard.io/gpu-type": gpu, "app": name]
            .sorted { $0.key < $1.key }.map { "        \($0.key): \($0.value)" }.joined(separator: "\n")
        let match = selector.sorted { $0.key < $1.key }.map { "      \($0.key): \($0.value)" }.joined(separator: "\n")
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(name)
              labels:
                model.aibrix.ai/name: llama
            spec:
              replicas: 1
              selector:
                matchLabels:
            \(match)
              template:
                metadata:
                  labels:
            \(labels)
                    model.aibrix.ai/port: "8000"
                spec:
                  nodeSelector:
                    nvidia.com/gpu.product: \(product)
                  containers:
                    - name: vllm
                      image: vllm/vllm-openai:v0.6.2
                      ports: [{containerPort: 8000}]
                      resources:
                        limits:
                          nvidia.com/gpu: 1
            """
    }

    static func modelOnly(_ name: String, gpu: String, product: String) -> String {
        deployment(name, gpu: gpu, product: product, selector: ["model.aibrix.ai/name": "llama"])
    }

    static func unique(_ name: String, gpu: String, product: String) -> String {
        deployment(name, gpu: gpu, product: product, selector: ["model.aibrix.ai/name": "llama", "scaleguard.io/gpu-type": gpu])
    }

    static func podAutoscaler(_ name: String, target: String) -> String {
        """
        apiVersion: autoscaling.aibrix.ai/v1alpha1
        kind: PodAutoscaler
        metadata:
          name: \(name)
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: \(target)
          minReplicas: 1
          maxReplicas: 8
          scalingStrategy: KPA
          metricsSources:
            - metricSourceType: pod
              protocolType: http
              port: "8000"
              path: /metrics
              targetMetric: gpu_cache_usage_perc
              targetValue: "0.5"
        """
    }

    static func hpa(_ name: String, target: String, ownedBy owner: String? = nil) -> String {
        let owners =
            owner.map {
                "\n  ownerReferences:\n    - {apiVersion: autoscaling.aibrix.ai/v1alpha1, kind: PodAutoscaler, name: \($0), uid: u1, "
                    + "controller: true}"
            } ?? ""
        return """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: \(name)\(owners)
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: \(target)}
              minReplicas: 1
              maxReplicas: 4
              metrics:
                - type: Resource
                  resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
            """
    }

    static func stream(_ documents: String...) -> String { documents.joined(separator: "\n---\n") + "\n" }

    /// A GPU Deployment with `labels` in selector and template, optionally pinned by `pinning` (a nodeSelector entry).
    static func gpuWorkload(_ name: String, labels: String, resource: String = "nvidia.com/gpu", pinning: String? = nil) -> String {
        let nodeSelector = pinning.map { "\n      nodeSelector: {\($0)}" } ?? ""
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(name)}
            spec:
              selector: {matchLabels: {\(labels)}}
              template:
                metadata: {labels: {\(labels)}}
                spec:\(nodeSelector)
                  containers:
                    - {name: vllm, image: vllm/vllm-openai:v0.6.2, resources: {limits: {\(resource): "1"}}}
            """
    }
}
