#!/usr/bin/env python3
"""Opens many TLS connections to a server and holds them, as an attacker or a crowd of idle clients would.

    hold-connections.py HOST PORT CA_FILE IDLE SLOW SECONDS

IDLE connections finish the handshake and then send nothing. SLOW connections send a request head one byte a
second and never finish it. After printing "ready", it holds them for SECONDS, then prints one line: how many
idle connections the server still held, and how many slow ones it cut, and after how long on average.
"""
import resource
import select
import socket
import ssl
import sys
import time


def readable_now(sock):
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(0))


def main():
    host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    idle_count, slow_count, seconds = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = idle_count + slow_count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(want, soft), hard), hard))
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False

    def connect():
        raw = socket.create_connection((host, port), timeout=30)
        return context.wrap_socket(raw, server_hostname="localhost")

    idle, failed = [], 0
    for _ in range(idle_count):
        try:
            idle.append(connect())
        except OSError:
            failed += 1
    slow = []
    for _ in range(slow_count):
        try:
            s = connect()
            s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            s.setblocking(False)
            slow.append([s, time.monotonic(), None])
        except OSError:
            failed += 1
    print(f"ready {len(idle)} idle, {len(slow)} slow, {failed} refused", flush=True)

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for entry in slow:
            sock, started, cut = entry
            if cut is not None:
                continue
            try:
                # Any answer to a head that never ended (a 408, the end of the stream) means it was cut.
                if readable_now(sock):
                    sock.recv(4096)
                    entry[2] = time.monotonic() - started
                    continue
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                pass
            except OSError:
                entry[2] = time.monotonic() - started
                continue
            try:
                sock.send(b"a")
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                pass
            except OSError:
                entry[2] = time.monotonic() - started
        time.sleep(1)

    # A connection the server still holds has nothing for us but TLS housekeeping (session tickets): reading it
    # wants more. One the server closed reads as the end or a reset.
    alive = 0
    for sock in idle:
        sock.setblocking(False)
        try:
            alive += 1 if sock.recv(1) else 0
        except (ssl.SSLWantReadError, BlockingIOError):
            alive += 1
        except OSError:
            pass
    cuts = [c for _, _, c in slow if c is not None]
    average = sum(cuts) / len(cuts) if cuts else 0
    print(f"held {alive} of {len(idle)} idle; cut {len(cuts)} of {len(slow)} slow after {average:.1f} s on average", flush=True)


if __name__ == "__main__":
    main()
