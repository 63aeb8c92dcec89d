import Dispatch
import Foundation
import JSON
import ScaleGuardCore

/// The admission path without sockets: one AdmissionReview read, checked and answered, repeated, against a view of
/// 1,000 Deployments. Prints the time per review, and the read, check and answer steps apart, against a baseline
/// in the same run: reading the same bytes with `JSONReader.isValid` (what any strict reader must at least do).
enum ReviewBenchmark {
    static func run(reviewFile: String, rounds: Int = 100_000) {
        guard let data = FileManager.default.contents(atPath: reviewFile) else {
            print("usage: ScaleGuardBench review FILE (Benchmarks/webhook-fixtures.py writes review.json)")
            return
        }
        let bytes = [UInt8](data)
        var view = ClusterView()
        for i in 0..<1000 {
            view.upsert(
                .workload(
                    Workload(
                        namespace: "default", name: "svc-\(i)", selector: LabelSelector(matchLabels: ["app": "svc-\(i)"]),
                        templateLabels: ["app": "svc-\(i)", "tier": "web"])))
        }
        let reviewer = AdmissionReviewer(checker: Checker())
        func perReview(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<rounds { body() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(rounds) / 1000
        }
        var sink = 0
        let validate = perReview { sink &+= JSONReader.isValid(bytes) ? 1 : 0 }
        let read = perReview { sink &+= (try? AdmissionReview.read(json: bytes))?.request?.uid.count ?? 0 }
        guard let review = try? AdmissionReview.read(json: bytes), let request = review.request else {
            print("the review file is not an AdmissionReview")
            return
        }
        var verdict: (AdmissionResponse, Verdict?)?
        let check = perReview { verdict = reviewer.review(request, in: view) }
        let answer = perReview { sink &+= AdmissionReview.responseJSON(apiVersion: review.apiVersion, verdict?.0 ?? .allow(uid: "")).count }
        let whole = perReview {
            // The webhook's own pipeline, as /validate runs it.
            if case .answered(let body, _) = AdmissionPipeline.run(bytes, decide: { reviewer.review($0, in: view) }) { sink &+= body.count }
        }
        func f(_ value: Double) -> String { String(format: "%.2f", value) }
        print("\(bytes.count)-byte AdmissionReview, \(rounds) rounds, view of 1,000 Deployments (µs per review)")
        print("baseline: validate the JSON only  \(f(validate))")
        print("read the review                   \(f(read))  (x\(f(read / validate)) of the baseline)")
        print("check it                          \(f(check))")
        print("write the answer                  \(f(answer))")
        print("whole admission                   \(f(whole))  (x\(f(whole / validate)) of the baseline)")
        if sink == 42 { print("") }
    }
}
