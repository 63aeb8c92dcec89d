// Benchmarks that print figures (never timed tests):
//   swift run -c release ScaleGuardBench overlap          one SG001 look-up against 1k, 10k, 100k Deployments
//   swift run -c release ScaleGuardBench cache [N]        list+watch of N Deployments from a fake API server
//   swift run -c release ScaleGuardBench index-memory     the overlap index of 100k Deployments alone
//   swift run -c release ScaleGuardBench review FILE      the admission path for one review, without sockets
//   swift run -c release ScaleGuardBench snapshot [N]     what a snapshot of the cluster view costs at N Deployments
//   swift run -c release ScaleGuardBench audit [N]        an audit of N Deployments with one catch-all selector
//   swift run -c release ScaleGuardBench publish [N]      one audit's policy reports and events at N Deployments
//   ScaleGuardBench fake-api N DIR                        (internal) the fake API server process for `cache`
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "cache":
    CacheBenchmark.run(count: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
case "index-memory":
    CacheBenchmark.indexMemory(count: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
case "audit":
    AuditBenchmark.run(count: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
case "publish":
    PublishBenchmark.run(count: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
case "snapshot":
    SnapshotBenchmark.run(count: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
case "review":
    ReviewBenchmark.run(reviewFile: arguments.dropFirst().first ?? "", rounds: arguments.dropFirst(2).first.flatMap(Int.init) ?? 100_000)
case "fake-api":
    FakeAPIProcess.run(Array(arguments.dropFirst()))
default:
    OverlapBenchmark.run()
}
