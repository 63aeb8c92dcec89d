import CSystem

/// How many cores this process may really use: the CPUs its affinity allows (`taskset`, a cpuset), and the cgroup
/// v2 quota (`cpu.max`, a pod's CPU limit) rounded up; at least one. More event loops than that only take turns
/// on the same cores and lengthen every tail.
public enum CPUBudget {
    public static var usableCores: Int {
        let affinity = sg_affinity_cpus()
        let cpuMax = try? BoundedFile.read("/sys/fs/cgroup/cpu.max", limit: 4096)
        return cores(affinity: affinity > 0 ? Int(affinity) : nil, cpuMax: cpuMax.map { String(decoding: $0, as: UTF8.self) })
    }

    /// `affinity` CPUs, capped by a `cpu.max` of `QUOTA PERIOD` (`max PERIOD`: no quota), at least 1.
    public static func cores(affinity: Int?, cpuMax: String?) -> Int {
        var cores = max(1, affinity ?? 1)
        let fields = cpuMax?.split(whereSeparator: { $0 == " " || $0 == "\n" }) ?? []
        if fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0 {
            cores = min(cores, quota / period + (quota % period == 0 ? 0 : 1))
        }
        return max(1, cores)
    }
}
