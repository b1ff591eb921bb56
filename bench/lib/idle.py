#!/usr/bin/python3
"""Idle TCP sessions for the memory benchmark (standard library only).

  idle.py hold --port P --count-file F
      A backend that accepts every connection on 127.0.0.1:P and holds it. It reads and discards what arrives
      and closes a connection when its peer does. The number of connections it holds is written to F (a single
      integer, replaced atomically) whenever it changes, at most every 20 ms.

  idle.py open --port P
      A client driven by commands on stdin, one per line, each answered by one line on stdout:
        open N     open connections to 127.0.0.1:P until N are open; answers "ok OPEN FAILED"
        warm N     open N extra connections, send 100 bytes on each, then close them; answers "ok OPEN FAILED"
        close      close every connection; answers "ok 0 0"
        quit       exit
      Connections are opened in batches of 200 so that the proxy's listen backlog never overflows.

Both raise their open-files limit to the hard limit. Everything is bounded in time: a batch that does not
connect within 10 s counts its stragglers as failed.
"""
import argparse
import errno
import os
import resource
import selectors
import socket
import sys
import time

BATCH = 200
BATCH_TIMEOUT = 10.0


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold(port, count_file, max_seconds):
    raise_nofile()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    held = 0
    written = -1
    last_write = 0.0
    deadline = time.monotonic() + max_seconds

    def publish(force=False):
        nonlocal written, last_write
        now = time.monotonic()
        if held != written and (force or now - last_write >= 0.02):
            tmp = count_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(str(held))
            os.replace(tmp, count_file)
            written = held
            last_write = now

    publish(force=True)
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.02):
            if key.data is None:
                for _ in range(512):
                    try:
                        conn, _addr = lsock.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError as e:
                        if e.errno in (errno.EMFILE, errno.ENFILE):
                            print("hold: out of file descriptors", file=sys.stderr)
                            break
                        raise
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, "c")
                    held += 1
            else:
                conn = key.fileobj
                try:
                    data = conn.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(conn)
                    conn.close()
                    held -= 1
        publish()
    publish(force=True)


class Opener:
    def __init__(self, port):
        self.addr = ("127.0.0.1", port)
        self.socks = []

    def _connect_batch(self, n):
        """Starts n non-blocking connects and waits until each has completed; returns (connected, failed)."""
        sel = selectors.DefaultSelector()
        pending = []
        failed = 0
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(self.addr)
            if err in (0, errno.EINPROGRESS):
                sel.register(s, selectors.EVENT_WRITE)
                pending.append(s)
            else:
                s.close()
                failed += 1
        done = []
        deadline = time.monotonic() + BATCH_TIMEOUT
        left = len(pending)
        while left and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.1):
                s = key.fileobj
                sel.unregister(s)
                left -= 1
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    done.append(s)
                else:
                    s.close()
                    failed += 1
        for key in list(sel.get_map().values()):
            key.fileobj.close()
            failed += 1
        sel.close()
        return done, failed

    def open_until(self, total):
        failed = 0
        while len(self.socks) < total:
            got, bad = self._connect_batch(min(BATCH, total - len(self.socks)))
            self.socks.extend(got)
            failed += bad
            if bad and not got:
                break
        return failed

    def warm(self, n):
        failed = 0
        warm = []
        while len(warm) < n:
            got, bad = self._connect_batch(min(BATCH, n - len(warm)))
            warm.extend(got)
            failed += bad
            if bad and not got:
                break
        payload = b"w" * 100
        for s in warm:
            try:
                s.send(payload)
            except OSError:
                failed += 1
        time.sleep(0.3)
        for s in warm:
            s.close()
        return failed

    def close_all(self):
        for s in self.socks:
            s.close()
        self.socks = []


def run_opener(port):
    raise_nofile()
    op = Opener(port)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd == "open":
            failed = op.open_until(int(words[1]))
            print(f"ok {len(op.socks)} {failed}", flush=True)
        elif cmd == "warm":
            failed = op.warm(int(words[1]))
            print(f"ok {len(op.socks)} {failed}", flush=True)
        elif cmd == "close":
            op.close_all()
            print("ok 0 0", flush=True)
        elif cmd == "quit":
            break
        else:
            print(f"error unknown command {cmd}", flush=True)
    op.close_all()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hold")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--count-file", required=True)
    h.add_argument("--max-seconds", type=float, default=900)
    o = sub.add_parser("open")
    o.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    if a.mode == "hold":
        hold(a.port, a.count_file, a.max_seconds)
    else:
        run_opener(a.port)


if __name__ == "__main__":
    main()
