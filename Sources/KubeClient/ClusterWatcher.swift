import Foundation
import Logging
import ScaleGuardCore
import Synchronization

/// Starts a reflector per watched resource, all feeding one `ClusterCache`.
public final class ClusterWatcher: Sendable {
    public let cache: ClusterCache
    private let client: KubeAPIClient
    private let reflectors: [Reflector]
    private let stopped = Atomic<Bool>(false)
    /// Every thread it started, so that `stop` returns only once none is left inside OpenSSL.
    private let threads = ThreadTracker()

    public struct Options: Sendable {
        public var resources = WatchedResource.all
        /// The kinds objects are read as: the built-in ones and those the policy adds.
        public var kinds = KindRegistry.builtIn
        public var maxStaleness = 60.0
        public var pageSize = 500
        public var watchTimeoutSeconds = 300
        public var missingRetry = 180.0
        public var backoffMax = 30.0
        /// How long an object this replica allowed counts before a watch shows it.
        public var pendingTTL = 30.0
        /// A watch broken past `maxStaleness` fails readiness (the old behaviour, opt-in).
        public var staleMeansUnready = false
        public init() {}
    }

    public init(client: KubeAPIClient, options: Options = Options(), logger: Logger) {
        let cache = ClusterCache(
            resources: options.resources, maxStaleness: options.maxStaleness, pendingTTL: options.pendingTTL,
            staleMeansUnready: options.staleMeansUnready)
        self.cache = cache
        self.client = client
        var timing = Reflector.Timing()
        timing.pageSize = options.pageSize
        timing.watchTimeoutSeconds = options.watchTimeoutSeconds
        timing.missingRetry = options.missingRetry
        timing.backoffMax = options.backoffMax
        reflectors = options.resources.map {
            Reflector(resource: $0, kinds: options.kinds, client: client, cache: cache, logger: logger, timing: timing)
        }
    }

    public func start() {
        reflectors.forEach { $0.start(in: threads) }
        // Changes reach readers within a batch or `publishInterval`; admitted objects expire on time.
        threads.start("scaleguard-publish") { [self] in
            while !stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: cache.publishInterval / 2)
                cache.publishIfDue()
            }
        }
    }

    /// Threads started and still running: none once `stop` has returned true.
    public var runningThreads: Int { threads.count }

    /// Stops every list and watch, wakes the threads blocked in a read, and waits (up to `seconds`) until they have
    /// all returned: after this the process may exit without a thread still inside OpenSSL. True when they did.
    @discardableResult
    public func stop(waiting seconds: Double = 5) -> Bool {
        stopped.store(true, ordering: .relaxed)
        reflectors.forEach { $0.stop() }
        client.shutDown()
        return threads.wait(seconds: seconds)
    }

    /// Waits until every resource has synced (or is known missing); false if `seconds` passed first, or, with
    /// `stopOnError`, as soon as a list fails: a one-shot command answers at once, as kubectl does, rather than retry.
    public func waitForSync(seconds: Double, stopOnError: Bool = false) -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end {
            if cache.isSynced { return true }
            if stopOnError, cache.hasFailedList { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return cache.isSynced
    }
}
