import HTTPCodec

/// Writing a connection's answers: whole or streamed in chunks, flushed as the socket allows, and what follows a
/// flushed answer (the next request, a drain after a refusal, or the end).
extension Connection {
    func send(_ response: HTTPResponse) {
        guard case .answering(var then) = state else { return }
        // A server shutting down answers what it has with `Connection: close`.
        if then == .nextRequest, loop.isDraining {
            then = .close
            state = .answering(then: then)
        }
        response.encodeHead(into: &output, minorVersion: minorVersion, keepAlive: then == .nextRequest)
        switch response.body {
        case .bytes(let body):
            output += body
        case .stream(let produce):
            let channel = StreamChannel(loop: loop, id: id)
            stream = channel
            channel.start(produce)
        }
        flush()
    }

    func flush() {
        while written < output.count {
            let progress = output.withUnsafeBytes { transport.writeNow(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch progress {
            case .done(let count):
                written += count
                clock.lastWrite = loop.now
            case .wantRead, .wantWrite:
                updateDeadline()
                return
            case .closed, .failed:
                close()
                return
            }
        }
        output = []
        written = 0
        flushed()
    }

    func flushed() {
        if let stream {
            stream.drained()
            updateDeadline()
            return
        }
        if case .answering(let then) = state {
            switch then {
            case .drain(let seconds): return startDraining(for: seconds)
            case .close: return close()
            case .nextRequest: state = .reading
            }
            loop.park(self)
            clock.idleSince = loop.now
            if !input.isEmpty { clock.requestStarted = loop.now }
        }
        processInput()
        if readPaused, case .reading = state {
            readPaused = false
            readAvailable()
        }
        updateDeadline()
    }

    func streamed(_ bytes: [UInt8]) {
        guard isOpen else { return }
        output += ChunkedDecoder.chunk(bytes)
        flush()
    }

    func streamEnded(cut: Bool) {
        guard isOpen else { return }
        stream = nil
        if cut { return close() }
        output += ChunkedDecoder.lastChunk
        flush()
    }
}
