/// What a connection needs from the loop that drives it: the clock, a read buffer, the server, and the loop's
/// bookkeeping (idle order, deadlines, answers posted from other threads). `EventLoop` in service; a loop a test
/// drives by hand in the tests, so that the real `Connection` runs without sockets or threads.
protocol ConnectionLoop: AnyObject, Sendable {
    var now: UInt64 { get }
    var isDraining: Bool { get }
    var scratch: UnsafeMutableRawBufferPointer { get }
    var server: HTTPServer { get }
    /// From any thread: an answer or streamed bytes for a connection of this loop.
    func post(_ message: EventLoop.Message)
    func park(_ connection: Connection)
    func unpark(_ connection: Connection)
    func setDeadline(_ connection: Connection, _ deadline: UInt64?)
    func release(_ connection: Connection)
}

extension EventLoop: ConnectionLoop {}
