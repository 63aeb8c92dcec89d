/// The admission path from request body to response body, written once: read the AdmissionReview, refuse what
/// is not one, decide, record, answer in the review's version. The webhook, the fuzzer and the benchmark run this.
public enum AdmissionPipeline {
    public enum Outcome: Sendable {
        /// The review's answer, as JSON; `allowed` for the request metric.
        case answered(body: [UInt8], allowed: Bool)
        /// Not a review this webhook answers: 400 with the reason.
        case refused(String)
    }

    /// `decide` gives the answer (and the verdict behind it, if a rule looked); `record` sees both before the answer
    /// goes out (metrics and logs).
    public static func run(
        _ body: [UInt8], decide: (AdmissionRequest) -> (AdmissionResponse, Verdict?),
        record: (AdmissionRequest, AdmissionResponse, Verdict?) -> Void = { _, _, _ in }
    ) -> Outcome {
        let review: AdmissionReview
        do {
            review = try AdmissionReview.read(json: body)
        } catch {
            return .refused("the body is not an AdmissionReview: \(error)")
        }
        if let problem = review.problem { return .refused("not an AdmissionReview this webhook answers: \(problem)") }
        guard let request = review.request else { return .refused("the review has no request") }
        let (response, verdict) = decide(request)
        record(request, response, verdict)
        return .answered(body: AdmissionReview.responseJSON(apiVersion: review.apiVersion, response), allowed: response.allowed)
    }
}
