import Foundation
import Primitives
import Testing

/// Small local files read whole, and the wrong file refused rather than read without end.
@Suite struct BoundedFileTests {
    @Test func aFileIsReadWholeUpToTheLimit() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)").path
        let text = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        try Data(text).write(to: URL(fileURLWithPath: path))
        #expect(try BoundedFile.read(path) == text)
        #expect(try BoundedFile.read(path, limit: text.count) == text)
        #expect(throws: BoundedFile.Failure.tooLarge(path: path, limit: text.count - 1)) {
            try BoundedFile.read(path, limit: text.count - 1)
        }
    }

    @Test func endlessDevicesDirectoriesAndMissingFilesAreRefused() {
        #expect(throws: BoundedFile.Failure.tooLarge(path: "/dev/zero", limit: 1 << 20)) {
            try BoundedFile.read("/dev/zero", limit: 1 << 20)
        }
        let directory = #expect(throws: BoundedFile.Failure.self) { try BoundedFile.read("/tmp") }
        #expect(directory?.description == "cannot read /tmp: is a directory")
        let missing = #expect(throws: BoundedFile.Failure.self) { try BoundedFile.read("/nonexistent/x") }
        #expect(missing?.description == "cannot read /nonexistent/x: no such file or directory")
    }
}
