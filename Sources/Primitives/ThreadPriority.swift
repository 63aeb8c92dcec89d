import CSystem

/// Priorities for threads that must yield to the event loops: the audit, which walks the whole view, and workers.
public enum ThreadPriority {
    /// The calling thread runs only when its core has nothing else to do (SCHED_IDLE): an audit of 100,000
    /// workloads then never delays an admission on the same core.
    public static func idle() { _ = sg_thread_idle_priority() }

    /// Lowers the calling thread's priority by `steps` of nice.
    public static func lower(by steps: Int32) { _ = sg_thread_nice(steps) }
}
