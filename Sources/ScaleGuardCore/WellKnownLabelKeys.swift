/// Label keys most objects carry, each held once: a key read from JSON that is one of them costs a reference to
/// the shared copy, not an allocation. Keys of 15 bytes or fewer are small strings and need no sharing.
enum WellKnownLabelKeys {
    private static let keys: [String] = [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
        "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
        "pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
        "model.aibrix.ai/name", "model.aibrix.ai/port", "model.aibrix.ai/min_replicas", "model.aibrix.ai/max_replicas",
        "adapter.model.aibrix.ai/enabled", "scaleguard.io/gpu-type",
        "nvidia.com/gpu.product", "amd.com/gpu.product", "cloud.google.com/gke-accelerator",
        "karpenter.k8s.aws/instance-gpu-name", "machine.cluster.vke.volcengine.com/gpu-name",
        "node.kubernetes.io/instance-type", "kubernetes.io/hostname", "topology.kubernetes.io/zone",
        "rollouts-pod-template-hash",
    ]

    /// The keys by length, with their bytes, so that a look-up compares bytes with a handful of candidates at most.
    private static let byLength: [[(bytes: [UInt8], key: String)]] = {
        var table = Array(repeating: [(bytes: [UInt8], key: String)](), count: 64)
        for key in keys where key.utf8.count < table.count { table[key.utf8.count].append((Array(key.utf8), key)) }
        return table
    }()

    /// The shared copy of the key spelled by `bytes`, or nil.
    static func key(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count > 15, bytes.count < byLength.count else { return nil }
        for candidate in byLength[bytes.count] where candidate.bytes.withUnsafeBytes({ Self.equal($0, bytes) }) {
            return candidate.key
        }
        return nil
    }

    /// Equal buffers of one length, eight bytes at a time.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < a.count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}
