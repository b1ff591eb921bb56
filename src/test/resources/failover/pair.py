#!/usr/bin/env python3
"""The peers of FailoverPairIT, each run inside a network namespace of the test with `ip netns exec`.

  pair.py serve ADDR:PORT ...           backends: each answers "ADDR PEER\n" (its own address, and the address
                                        the connection came from: which balance relayed it) and closes
  pair.py ask HOST PORT SRC ...         one session from each source address to HOST:PORT; prints "SRC BACKEND VIA"
                                        (or "SRC FAIL reason")
  pair.py loop HOST PORT SECONDS INTERVAL SRC ...
                                        a new session every INTERVAL seconds for SECONDS, each from the next
                                        source address, each in its own thread (a lost SYN delays no other);
                                        prints one line per session when it ends:
                                        "start end SRC ok BACKEND VIA" or "start end SRC fail reason"
                                        (times: seconds since the epoch, as the test's clock)

A session waits at most 2 s for its connection and its answer: the kernel's first SYN retransmission comes
after 1 s, so a client that sent its SYN to a machine that just went away still gets through once the address
has moved, as a real client would; a session that gets nothing in 2 s counts as failed.
"""
import socket
import sys
import threading
import time

TIMEOUT = 2.0


def serve(specs):
    def handle(conn, name):
        with conn:
            peer = conn.getpeername()[0]
            conn.sendall(("%s %s\n" % (name, peer)).encode())

    def accept(server, name):
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn, name), daemon=True).start()

    for spec in specs:
        host, port = spec.rsplit(":", 1)
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, int(port)))
        server.listen(128)
        threading.Thread(target=accept, args=(server, host), daemon=True).start()
    print("serving", " ".join(specs), flush=True)
    threading.Event().wait()


def session(host, port, source):
    """One session from source: (True, "BACKEND VIA") or (False, reason)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(TIMEOUT)
        s.bind((source, 0))
        deadline = time.monotonic() + TIMEOUT
        s.connect((host, port))
        data = b""
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                return False, "no answer in %.0f s" % TIMEOUT
            s.settimeout(left)
            chunk = s.recv(256)
            if not chunk:
                return False, "closed without an answer"
            data += chunk
        return True, data.decode().strip()
    except OSError as e:
        return False, type(e).__name__ + ":" + (e.strerror or str(e)).replace(" ", "_")
    finally:
        s.close()


def ask(host, port, sources):
    for source in sources:
        ok, what = session(host, port, source)
        print(source, what if ok else "FAIL " + what, flush=True)


def loop(host, port, seconds, interval, sources):
    lock = threading.Lock()

    def one(source):
        start = time.time()
        ok, what = session(host, port, source)
        end = time.time()
        with lock:
            print("%.3f %.3f %s %s %s" % (start, end, source, "ok" if ok else "fail", what), flush=True)

    threads = []
    begin = time.monotonic()
    n = 0
    while time.monotonic() - begin < seconds:
        t = threading.Thread(target=one, args=(sources[n % len(sources)],), daemon=True)
        t.start()
        threads.append(t)
        n += 1
        time.sleep(max(0.0, begin + n * interval - time.monotonic()))
    for t in threads:
        t.join(TIMEOUT + 1)


def main(argv):
    if argv[0] == "serve":
        serve(argv[1:])
    elif argv[0] == "ask":
        ask(argv[1], int(argv[2]), argv[3:])
    elif argv[0] == "loop":
        loop(argv[1], int(argv[2]), float(argv[3]), float(argv[4]), argv[5:])
    else:
        sys.exit("usage: see pair.py's docstring")


if __name__ == "__main__":
    main(sys.argv[1:])
