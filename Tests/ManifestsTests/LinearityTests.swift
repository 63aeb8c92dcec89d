import Dispatch
import Glibc
import Manifests
import ScaleGuardCore
import Testing
import YAML

/// Every step from bytes to a verdict stays linear (or n log n) in its input: 10,000 items of a shape may cost
/// about four times 2,500 (under 8 with a busy machine), never sixteen. A ratio of this thread's CPU times, not a
/// time: the machine's load does not enter it. (The sizes are as small as keep a quadratic step visible: at 2,500
/// items the quadratic merge-key and duplicate-key bugs this guards against already cost 10x and more.)
@Suite(.serialized) struct LinearityTests {
    /// The best of three runs, in seconds of this thread's CPU: another process busy on the machine (a fuzzer, a
    /// build) stretches wall time but not the work this thread does.
    func seconds(_ body: () -> Void) -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        return (0..<3).map { _ in
            let start = now()
            body()
            return now() - start
        }.min() ?? 0
    }

    func ratio(_ make: (Int) -> String, _ work: ([UInt8]) -> Void) -> Double {
        let small = Array(make(2_500).utf8), large = Array(make(10_000).utf8)
        work(small)  // warm up
        return seconds { work(large) } / max(seconds { work(small) }, 1e-6)
    }

    func manifests(_ bytes: [UInt8]) {
        guard let objects = try? ManifestDecoder.decode(bytes, source: "t", maxBytes: nil) else { return }
        _ = try? CheckReport(checking: objects, checker: Checker())
    }

    static let shapes: [(String, @Sendable (Int) -> String)] = [
        (
            "anchors and aliases",
            { n in (0..<n).map { "- &a\($0) v\($0)" }.joined(separator: "\n") + "\n" + (0..<n).map { "- *a\($0)" }.joined(separator: "\n") }
        ),
        ("a mapping of n keys", { n in (0..<n).map { "k\($0): v\($0)" }.joined(separator: "\n") }),
        ("a list of n items", { n in (0..<n).map { "- item\($0)" }.joined(separator: "\n") }),
        ("a key given n times", { n in (0..<n).map { "k: v\($0)" }.joined(separator: "\n") }),
        ("n merge keys", { n in "base: &b {x: 1}\n" + (0..<n).map { "m\($0): {<<: *b, y: \($0)}" }.joined(separator: "\n") }),
        (
            "a Deployment with n labels",
            { n in
                let pairs = (0..<n).map { "l\($0): v\($0)" }.joined(separator: ", ")
                return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {\(pairs)}}\n"
                    + "  template: {metadata: {labels: {\(pairs)}}}\n"
            }
        ),
        (
            "a selector with n expressions",
            { n in
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector:\n    matchLabels: {app: d}\n    "
                    + "matchExpressions:\n"
                    + (0..<n).map { "    - {key: k\($0), operator: NotIn, values: [x]}" }.joined(separator: "\n")
                    + "\n  template: {metadata: {labels: {app: d}}}"
            }
        ),
        (
            "n Deployments sharing a label",
            { n in
                (0..<(n / 10)).map {
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d\($0)}\nspec:\n  selector: {matchLabels: {app: "
                        + "d\($0)}}\n  template: {metadata: {labels: {app: d\($0), tier: web}}}"
                }
                .joined(separator: "\n---\n")
            }
        ),
    ]

    @Test(arguments: shapes.map(\.0))
    func fourTimesTheItemsCostAboutFourTimesTheWork(_ shape: String) throws {
        let make = try #require(Self.shapes.first { $0.0 == shape }?.1)
        let measured = ratio(make, manifests)
        #expect(measured <= 8, "\(shape): 10k took \(measured)x the CPU time of 2.5k")
    }

    @Test func aReviewWithManyLabelsReadsInLinearTime() {
        func review(_ n: Int) -> String {
            let labels = (0..<n).reversed().map { "\"l\($0)\":\"v\($0)\"" }.joined(separator: ",")  // unsorted on purpose
            return
                #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","namespace":"d","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{\#(labels)}},"template":{"metadata":{"labels":{\#(labels)}}}}}}}"#
        }
        let reviewer = AdmissionReviewer(checker: Checker())
        let measured = ratio(review) { bytes in
            guard let request = (try? AdmissionReview.read(json: bytes))?.request else { return }
            _ = reviewer.review(request, in: ClusterView())
        }
        #expect(measured <= 8, "10k labels took \(measured)x the CPU time of 2.5k")
    }
}
