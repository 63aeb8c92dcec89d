import HTTPCodec

/// Writing a connection's answers: whole or streamed in chunks, flushed as the socket allows, and what follows a
/// flushed answer (the next request, a drain after a refusal, or the end).
extension Connection {
    func send(_ response: HTTPResponse) {
        guard case .open = phase else { return }
        let keep = keepAlive && !loop.isDraining && !refuseAfterFlush
        keepAlive = keep
        response.encodeHead(into: &output, minorVersion: minorVersion, keepAlive: keep)
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
            let progress = output.withUnsafeBytes { tls.writeNow(UnsafeRawBufferPointer(rebasing: $0[written...])) }
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
        if busy {
            if refuseAfterFlush { return startDraining() }
            if !keepAlive { return close() }
            busy = false
            loop.park(self)
            clock.idleSince = loop.now
            if !input.isEmpty { clock.requestStarted = loop.now }
        }
        processInput()
        if readPaused, !busy, case .open = phase {
            readPaused = false
            readAvailable()
        }
        updateDeadline()
    }

    func streamed(_ bytes: [UInt8]) {
        guard case .open = phase else { return }
        output += ChunkedDecoder.chunk(bytes)
        flush()
    }

    func streamEnded(cut: Bool) {
        guard case .open = phase else { return }
        stream = nil
        if cut { return close() }
        output += ChunkedDecoder.lastChunk
        flush()
    }
}
