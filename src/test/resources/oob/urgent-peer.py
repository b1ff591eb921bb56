#!/usr/bin/env python3
"""One end of a TCP session that carries urgent (out-of-band) data, for UrgentDataIT.

usage: urgent-peer.py listen       (prints the port it listens on, then serves one session)
       urgent-peer.py connect PORT

Each end sends its script below, with one byte at a time sent as urgent data (send(MSG_OOB)) and pauses in
between so that the two urgent bytes are separate (TCP keeps only the latest urgent byte), then shuts down its
sending side. At the same time it reads until the end of the stream, with SO_OOBINLINE and SIOCATMARK, which
says exactly where each urgent byte sits in the stream, and finally prints what it read on one line, urgent
bytes in brackets: 'abc[!]def'.
"""
import fcntl
import select
import socket
import struct
import sys
import threading
import time

SIOCATMARK = 0x8905  # Linux
# The client waits 0.3 s before sending, until balance has connected to the server: urgent data that arrives
# before that still loses its urgency on epoll (known gap, see README).
SCRIPTS = {
    "connect": [0.3, b"abc", ("!",), b"def", 0.2, b"gh", ("#",), b"ij"],
    "listen": [b"uvw", ("?",), b"xyz", 0.2, b"k", ("%",), b"lm"],
}


def send_script(sock, script):
    for step in script:
        if isinstance(step, float):
            time.sleep(step)
        elif isinstance(step, tuple):
            sock.send(step[0].encode(), socket.MSG_OOB)
        else:
            sock.sendall(step)
    sock.shutdown(socket.SHUT_WR)


def receive(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
    out = []
    while True:
        select.select([sock], [], [], 20)
        # A read stops just before the urgent byte: at the mark, it is the first byte of the next read.
        at_mark = struct.unpack("i", fcntl.ioctl(sock.fileno(), SIOCATMARK, struct.pack("i", 0)))[0]
        data = sock.recv(65536)
        if not data:
            return "".join(out)
        text = data.decode("latin-1")
        out.append("[" + text[0] + "]" + text[1:] if at_mark else text)


def session(sock, role):
    sender = threading.Thread(target=send_script, args=(sock, SCRIPTS[role]))
    sender.start()
    received = receive(sock)
    sender.join()
    print(received, flush=True)


def main():
    role = sys.argv[1]
    if role == "listen":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(30)
        print(server.getsockname()[1], flush=True)
        sock, _ = server.accept()
    else:
        sock = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10)
    sock.settimeout(30)
    session(sock, role)
    sock.close()


if __name__ == "__main__":
    main()
