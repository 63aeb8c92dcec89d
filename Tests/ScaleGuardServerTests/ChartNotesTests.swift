import Foundation
import Testing
import TestSupport

/// The commands the chart's NOTES print after `helm install` work as printed, verifying the server's certificate.
@Suite(.blocking) struct ChartNotesTests {
    @Test func theNotesCommandsReachTheServerThroughItsCA() throws {
        let python = ServerProcess.packageRoot.appendingPathComponent(".build/helm-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/deps.sh: it installs helm-python-sdk")
        let notes = try Shell.run(
            python,
            [
                ServerProcess.packageRoot.appendingPathComponent("charts/test/render.py").path,
                "--notes", "--set", "certManager.enabled=true",
            ])
        #expect(notes.status == 0, "\(notes.stderr)")
        let commands = notes.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("alias sgcurl=") || $0.hasPrefix("sgcurl ") }
        #expect(commands.count == 3)

        // What port-forward and the CA from the webhook configuration give, here: the test server and its CA.
        let server = try ServerProcess(["--demo"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: server.certificates.ca, toPath: dir.appendingPathComponent("scaleguard-ca.crt").path)
        let manifest = try String(
            contentsOf: ServerProcess.packageRoot.appendingPathComponent("examples/wrong/llama-a40.yaml"), encoding: .utf8)
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("deployment.yaml"))
        let script =
            (["shopt -s expand_aliases", "set -e"]
            + commands.map {
                $0.replacingOccurrences(of: "localhost:8443", with: "127.0.0.1:\(server.port)")
                    .replacingOccurrences(of: "sgcurl ", with: "sgcurl -sS -w ' HTTP %{http_code}\\n' ")
                    .replacingOccurrences(of: "alias sgcurl -sS -w ' HTTP %{http_code}\\n' =", with: "alias sgcurl=")
            }).joined(separator: "\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = dir
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output.contains("1 violation among 1 workload and 1 autoscaler") && output.contains("HTTP 200"), "\(output)")
        #expect(output.contains("DENIED Deployment default/llama-a40") && output.contains("HTTP 403"), "\(output)")
    }
}
