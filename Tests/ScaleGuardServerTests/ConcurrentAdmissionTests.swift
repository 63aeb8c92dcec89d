import Foundation
import Primitives
import Testing
import TestSupport

/// Two overlapping Deployments sent at the same moment, as Helm creates the objects of one kind: never both
/// allowed. Each round uses a namespace of its own, so that every round is a fresh race.
@Suite(.blocking) struct ConcurrentAdmissionTests {
    /// `web-a` (selector app=web, pods app=web,tier=a) and `web-b` (selector app=web,tier=b): web-a's selector
    /// selects web-b's pods, so whichever comes second must be denied.
    static func overlappingPair(in namespace: String) -> [Data] {
        var a = Reviews.deployment(name: "web-a", selector: ["app": "web"], labels: ["app": "web", "tier": "a"], product: nil, gpu: false)
        var b = Reviews.deployment(name: "web-b", selector: ["app": "web", "tier": "b"], product: nil, gpu: false)
        for index in [0, 1] {
            var object = index == 0 ? a : b
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            metadata["namespace"] = namespace
            metadata["uid"] = UUID().uuidString
            object["metadata"] = metadata
            if index == 0 { a = object } else { b = object }
        }
        return [Reviews.review(a), Reviews.review(b)]
    }

    /// A kept-alive connection that sends one review at a time and reads its whole answer.
    final class Reviewer: @unchecked Sendable {
        let client: RawClient
        init(_ server: ServerProcess) throws { client = try RawClient(port: server.port, ca: server.certificates.ca) }

        func allowed(_ body: Data) throws -> Bool {
            try client.send(
                "POST /validate?timeout=10s HTTP/1.1\r\nHost: scaleguard\r\nContent-Type: application/json\r\nContent-Length: "
                    + "\(body.count)\r\n\r\n"
            )
            try client.send([UInt8](body))
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16384)
            let deadline = Deadline.after(seconds: 10)
            while true {
                let text = String(decoding: received, as: UTF8.self)
                if let head = text.range(of: "\r\n\r\n"),
                    let length = text[..<head.lowerBound].split(separator: "\r\n").first(where: {
                        $0.lowercased().hasPrefix("content-length:")
                    })
                    .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                    text.utf8.count - text.utf8.distance(from: text.startIndex, to: head.upperBound) >= length
                {
                    let response = Reviews.json(String(text[head.upperBound...]))["response"] as? [String: Any]
                    guard let allowed = response?["allowed"] as? Bool else { throw Failure(text: text) }
                    return allowed
                }
                let n = try buffer.withUnsafeMutableBytes { try client.connection.read(into: $0, until: deadline) }
                guard n > 0 else { throw Failure(text: text) }
                received += buffer[0..<n]
            }
        }

        struct Failure: Error { var text: String }
    }

    /// Runs `rounds` races: in each, reviewer i sends `make(round)[i % count]` at the same moment as the others.
    /// Returns how many of each round's distinct objects were allowed. Several connections per object make it
    /// likely that the reviews land on different event loops, which the server assigns connections to itself.
    static func race(_ reviewers: [Reviewer], rounds: Int, _ make: (Int) -> [Data]) throws -> [Int] {
        var allowedPerRound: [Int] = []
        for round in 0..<rounds {
            let bodies = make(round)
            let start = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            let results = Results()
            for (index, reviewer) in reviewers.enumerated() {
                done.enter()
                Thread {
                    start.wait()
                    if (try? reviewer.allowed(bodies[index % bodies.count])) == true { results.add(index % bodies.count) }
                    done.leave()
                }.start()
            }
            for _ in reviewers { start.signal() }
            done.wait()
            allowedPerRound.append(results.allowed)
        }
        return allowedPerRound
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var objects: Set<Int> = []
        func add(_ object: Int) { _ = lock.withLock { objects.insert(object) } }
        var allowed: Int { lock.withLock { objects.count } }
    }

    @Test func oneReplicaOnTwoEventLoopsNeverAdmitsBoth() throws {
        let server = try ServerProcess(["--demo", "--event-loops", "2"])
        let reviewers = try (0..<6).map { _ in try Reviewer(server) }
        let allowed = try Self.race(reviewers, rounds: 100) { Self.overlappingPair(in: "race-\($0)") }
        #expect(
            allowed.allSatisfy { $0 == 1 },
            "rounds where both got in: \(allowed.filter { $0 == 2 }.count), neither: \(allowed.filter { $0 == 0 }.count)")
    }

    /// Reviews that change nothing that is compared take no lock, and dry runs record nothing.
    @Test func aDryRunDecidesButRecordsNothing() throws {
        let server = try ServerProcess(["--demo"])
        let reviewer = try Reviewer(server)
        let pair = Self.overlappingPair(in: "dry")
        var dryRun = try JSONSerialization.jsonObject(with: pair[0]) as? [String: Any] ?? [:]
        var request = dryRun["request"] as? [String: Any] ?? [:]
        request["dryRun"] = true
        dryRun["request"] = request
        #expect(try reviewer.allowed(try JSONSerialization.data(withJSONObject: dryRun)))
        #expect(try reviewer.allowed(pair[1]), "the dry run left no trace")
        #expect(try !reviewer.allowed(pair[0]), "web-b is counted now")
    }
}
