#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// SIGTERM and SIGINT, taken with sigwait(2) on a thread that asks for them: no signal handler, no descriptor.
/// Block them first, before any thread starts, so that every thread inherits the block and none is interrupted;
/// a process short of file descriptors (or of anything else) still hears the kubelet's SIGTERM.
public enum ShutdownSignals {
    public static func block() {
        var set = signals
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGTERM or SIGINT and returns which arrived.
    public static func wait() -> Int32 {
        var set = signals
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    private static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }
}
