#!/usr/bin/python3
"""balance benchmark driver: the direct path, HAProxy (mode tcp, one thread), nginx (stream module, one worker)
and balance, side by side on loopback.

Started by bench/run, which installs the tools and builds the jar first. Standard library only.
The proxy under test runs on CPU 1; load generators and backends run on CPU 0. See docs/BENCH.md.
"""
import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BALANCE = os.path.join(ROOT, "bin", "balance")
IDLE = os.path.join(HERE, "idle.py")
WRK_LUA = os.path.join(HERE, "report.lua")
PY = sys.executable or "/usr/bin/python3"
HZ = os.sysconf("SC_CLK_TCK")
PROXY_CPU = 1
LOAD_CPU = 0
KINDS = ("direct", "haproxy", "nginx", "balance")  # the targets, in the table's order
PEERS = ("haproxy", "nginx")                        # balance is compared with the better of these on each figure
PEER_NAMES = {"haproxy": "HAProxy", "nginx": "nginx"}
NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"  # Debian's libnginx-mod-stream
PHASES = ("bulk", "http", "memory", "startup", "coldstart")
COLD_WINDOW_S = 3      # the cold-start phase's windows (issue 16's targets are about the first 3 s)
COLD_MAX_WINDOWS = 4   # 0-12 s: rows and chart go this far


def kind_of(target):
    """'balance:NAME' (a variant, see --balance-variant) is a balance; the others are their own kind."""
    return "balance" if target.startswith("balance:") else target


def safe_name(target):
    return target.replace(":", "-")


class BenchError(Exception):
    pass


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------------------------- processes

class Procs:
    """Every process the benchmark starts, each in its own session so that its whole group can be stopped."""

    def __init__(self, logdir):
        self.logdir = logdir
        self.live = []

    def start(self, name, argv, cpu, env=None, stdin=None, stdout=None):
        logf = open(os.path.join(self.logdir, name + ".log"), "ab")
        argv = ["taskset", "-c", str(cpu)] + list(argv)
        logf.write(("\n# " + " ".join(argv) + "\n").encode())
        logf.flush()
        p = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                             stdout=stdout if stdout is not None else logf, stderr=logf,
                             env=env, start_new_session=True, close_fds=True)
        p.bench_name = name
        p.bench_log = logf
        self.live.append(p)
        return p

    def stop(self, p, timeout=5.0):
        """SIGTERM to the process group, SIGKILL after timeout; returns seconds until the leader exited."""
        t0 = time.perf_counter()
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        took = time.perf_counter() - t0
        # the group may still hold children (nginx workers) after the leader went
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if p in self.live:
            self.live.remove(p)
        try:
            p.bench_log.close()
        except Exception:
            pass
        return took

    def stop_all(self):
        for p in list(reversed(self.live)):
            try:
                self.stop(p, timeout=3)
            except Exception as e:  # keep cleaning up
                print(f"cleanup of {getattr(p, 'bench_name', p.pid)}: {e}", file=sys.stderr)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def is_listening(port):
    """True when some socket listens on TCP port `port` (from /proc/net/tcp and tcp6; no connection made)."""
    want = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A" and cols[1].endswith(want):
                        return True
        except OSError:
            pass
    return False


def answers(port, timeout=10.0):
    """True when GET /small through the proxy on `port` gets its 200 back. A connection that the kernel queued
    before the proxy accepts is answered once it does: the wait for that answer is part of the start-up."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.05) as s:
            s.settimeout(timeout)
            s.sendall(b"GET /small HTTP/1.0\r\nHost: bench\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_serving(port, proc, timeout=30.0, interval=0.002):
    """Polls until a request through the proxy is answered; returns the perf_counter() of the answer. A proxy
    may complete TCP handshakes (listen) some time before it relays (balance sets up its control socket in
    between), so the time to the first answer, not to the first handshake, is what a user waits for."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if answers(port):
            return time.perf_counter()
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"{proc.bench_name} exited with {proc.returncode} before serving on port {port}")
        time.sleep(interval)
    raise BenchError(f"port {port} did not serve within {timeout} s")


def wait_listening(port, proc, timeout=30.0):
    """Waits until the port listens without connecting to it: a probe connection would be relayed to the
    backend, and an iperf3 server takes any connection for a test client."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_listening(port):
            return
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"{proc.bench_name} exited with {proc.returncode} before listening on port {port}")
        time.sleep(0.01)
    raise BenchError(f"port {port} did not listen within {timeout} s")


# ------------------------------------------------------------------------------------------------- /proc

def cpu_ticks(cpu):
    """(busy, softirq+irq, total) ticks of one CPU; busy = user+nice+system+irq+softirq+steal."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                v = [int(x) for x in line.split()[1:]]
                user, nice, system, idle, iowait, irq, softirq, steal = (v + [0] * 8)[:8]
                busy = user + nice + system + irq + softirq + steal
                return busy, irq + softirq, busy + idle + iowait
    raise BenchError(f"cpu{cpu} not in /proc/stat")


def proc_ticks(pid):
    """utime+stime of a process (all its threads), in ticks."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])


def thread_ticks(pid):
    """{thread name: utime+stime ticks} summed over the process's threads of that name."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0) + int(rest[11]) + int(rest[12])
    return out


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def group_pids(pgid):
    """The processes of process group pgid: every process the benchmark starts leads its own group, so this is
    a proxy or backend with its children (nginx: master and worker; HAProxy -db and balance: one process)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(rest[2]) == pgid:
            pids.append(int(name))
    return pids


def pids_ticks(pids):
    """utime+stime of these processes (all their threads), in ticks; a process gone meanwhile counts 0."""
    total = 0
    for pid in pids:
        try:
            total += proc_ticks(pid)
        except (OSError, IndexError):
            pass
    return total


def group_ticks(pgid):
    """utime+stime of every process in process group pgid (a backend or proxy and its workers), in ticks."""
    return pids_ticks(group_pids(pgid))


def group_thread_ticks(pgid, pids=None):
    """thread_ticks() summed over the process group (nginx's threads are all called 'nginx')."""
    out = {}
    for pid in (pids if pids is not None else group_pids(pgid)):
        for k, v in thread_ticks(pid).items():
            out[k] = out.get(k, 0) + v
    return out


def group_status(pgid, key):
    """Sum of a /proc/PID/status field (e.g. VmRSS, kB) over the group, and {pid: value} per process."""
    per = {}
    for pid in group_pids(pgid):
        try:
            v = proc_status(pid, key)
        except OSError:
            continue
        if v is not None:
            per[pid] = v
    return sum(per.values()), per


def group_fd_count(pgid):
    n = 0
    for pid in group_pids(pgid):
        try:
            n += fd_count(pid)
        except OSError:
            pass
    return n


def ksoftirqd_pid(cpu):
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/comm") as f:
                    if f.read().strip() == f"ksoftirqd/{cpu}":
                        return int(name)
            except OSError:
                pass
    return None


KSOFTIRQD = {}


def softirqd_ticks(cpu):
    """CPU ticks of the kernel thread that takes over a CPU's softirq work under load: network work, not noise."""
    if cpu not in KSOFTIRQD:
        KSOFTIRQD[cpu] = ksoftirqd_pid(cpu)
    pid = KSOFTIRQD[cpu]
    try:
        return proc_ticks(pid) if pid else 0
    except OSError:
        return 0


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Window:
    """CPU accounting around one measured run: the proxy core's busy time and the proxy's own CPU (its whole
    process group: nginx's master and worker; one process for HAProxy and balance); and on the load core, how
    much of its busy time was not the load generator's nor the backend's."""

    def __init__(self, pid, backend_pgid=None, ppids=None, bpids=None):
        self.pid = pid  # the proxy's process group (the leader's pid), None for the direct path
        self.backend = backend_pgid
        self.given = ppids, bpids  # the groups' members when the caller listed them already (cold start)

    def __enter__(self):
        # the groups' members are listed once, before the window opens (scanning /proc is not free: the
        # cold-start phase lists them once per process, not once per window)
        self.ppids = self.given[0] if self.given[0] is not None else (group_pids(self.pid) if self.pid else [])
        self.bpids = self.given[1] if self.given[1] is not None else (group_pids(self.backend) if self.backend else [])
        self.c0 = cpu_ticks(PROXY_CPU)
        self.l0 = cpu_ticks(LOAD_CPU)
        self.p0 = pids_ticks(self.ppids) if self.pid else None
        self.th0 = group_thread_ticks(self.pid, self.ppids) if self.pid else {}
        self.b0 = pids_ticks(self.bpids)
        self.k0 = children_cpu_s()
        self.s0 = softirqd_ticks(PROXY_CPU), softirqd_ticks(LOAD_CPU)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.t1 = time.perf_counter()
        self.c1 = cpu_ticks(PROXY_CPU)
        self.l1 = cpu_ticks(LOAD_CPU)
        self.p1 = pids_ticks(self.ppids) if self.pid else None
        self.th1 = group_thread_ticks(self.pid, self.ppids) if self.pid else {}
        self.b1 = pids_ticks(self.bpids)
        self.k1 = children_cpu_s()
        self.s1 = softirqd_ticks(PROXY_CPU), softirqd_ticks(LOAD_CPU)
        return False

    def figures(self):
        busy = (self.c1[0] - self.c0[0]) / HZ
        soft = (self.c1[1] - self.c0[1]) / HZ
        total = (self.c1[2] - self.c0[2]) / HZ
        proc = (self.p1 - self.p0) / HZ if self.pid else None
        # what else kept the proxy's core busy: other processes on this machine (the proxy's process time
        # includes the softirq work done in its context, so this is busy time minus the proxy's own)
        sirq_p = (self.s1[0] - self.s0[0]) / HZ
        sirq_l = (self.s1[1] - self.s0[1]) / HZ
        other = max(0.0, busy - (proc or 0.0) - sirq_p)
        # the same on the load core: its busy time minus the load generator's (a waited-for child) and the
        # backend's own CPU
        lbusy = (self.l1[0] - self.l0[0]) / HZ
        ltotal = (self.l1[2] - self.l0[2]) / HZ
        ours = (self.k1 - self.k0) + (self.b1 - self.b0) / HZ + sirq_l
        lother = max(0.0, lbusy - ours)
        return {"core_busy_s": busy, "core_irq_s": soft, "core_total_s": total,
                "core_busy_pct": 100.0 * busy / total if total else None,
                "core_other_pct": 100.0 * other / total if total else None,
                "load_busy_pct": 100.0 * lbusy / ltotal if ltotal else None,
                "load_other_pct": 100.0 * lother / ltotal if ltotal else None,
                "proc_cpu_s": proc, "ksoftirqd_s": [sirq_p, sirq_l], "wall_s": self.t1 - self.t0, "threads_cpu_s": self.threads()}

    def threads(self):
        """CPU seconds per thread name in the window (the five busiest), e.g. event loops vs GC vs JIT."""
        d = {k: (v - self.th0.get(k, 0)) / HZ for k, v in self.th1.items()}
        top = sorted(((v, k) for k, v in d.items() if v > 0), reverse=True)[:5]
        return {k: round(v, 2) for v, k in top}


def wait_quiet(pgid, limit=10.0):
    """Waits (at most `limit` s) until the process group uses under ~2 % CPU over half a second (JIT, GC settle)."""
    if not pgid:
        return
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pids = group_pids(pgid)
        a = pids_ticks(pids)
        time.sleep(0.5)
        if pids_ticks(pids) - a <= max(1, HZ // 100):
            return


def settled_rss(pgid, window=6.0, limit=20.0):
    """The group's resident memory (kB) once it has held within 1 % for `window` s (at most `limit` s), and the
    per-process values. Steady state, not a moment's peak: a JVM hands its JIT compiler's scratch memory back a
    few seconds after the compiles end (HotSpot's chunk pool is cleaned every 5 s, the native heap trimmed every
    second with balance's flags); HAProxy and nginx settle at once."""
    deadline = time.monotonic() + limit
    samples = []
    while True:
        rss, per = group_status(pgid, "VmRSS")
        now = time.monotonic()
        samples.append((now, rss))
        recent = [r for t, r in samples if t >= now - window]
        if (now - samples[0][0] >= window and max(recent) - min(recent) <= 0.01 * max(recent)) or now >= deadline:
            return rss, per
        time.sleep(0.5)


# ------------------------------------------------------------------------------------------------ tools

def run_iperf(port, streams, reverse, secs, omit):
    argv = ["taskset", "-c", str(LOAD_CPU), "iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(secs),
            "-O", str(omit), "-P", str(streams), "-J", "--connect-timeout", "3000"]
    if reverse:
        argv.append("-R")
    try:
        r = subprocess.run(argv, capture_output=True, timeout=secs + omit + 30)
    except subprocess.TimeoutExpired:
        raise BenchError("iperf3 timed out")
    try:
        j = json.loads(r.stdout)
    except ValueError:
        raise BenchError(f"iperf3 gave no JSON (exit {r.returncode}): {r.stderr.decode()[:200]}")
    if "error" in j:
        raise BenchError(f"iperf3: {j['error']}")
    return {"gbit_s": j["end"]["sum_received"]["bits_per_second"] / 1e9,
            "retransmits": j["end"].get("sum_sent", {}).get("retransmits")}


def run_wrk(port, secs, conns, close):
    argv = ["taskset", "-c", str(LOAD_CPU), "wrk", "-t1", "-c", str(conns), "-d", f"{secs}s", "--latency",
            "--timeout", "2s", "-s", WRK_LUA]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append(f"http://127.0.0.1:{port}/small")
    try:
        r = subprocess.run(argv, capture_output=True, timeout=secs + 30)
    except subprocess.TimeoutExpired:
        raise BenchError("wrk timed out")
    out = r.stdout.decode(errors="replace")
    for line in out.splitlines():
        if line.startswith("BENCHJSON "):
            j = json.loads(line[len("BENCHJSON "):])
            break
    else:
        raise BenchError(f"wrk gave no result (exit {r.returncode}): {(out + r.stderr.decode())[:300]}")
    j["rate"] = j["requests"] / (j["duration_us"] / 1e6) if j["duration_us"] else 0.0
    j["error_count"] = sum(j["errors"].values())
    if j["requests"] == 0:
        raise BenchError(f"wrk completed no request: {out[:300]}")
    return j


# ----------------------------------------------------------------------------------------------- servers

def start_nginx(procs, tmp, logdir, port, pp_port):
    """The HTTP backend (on CPU 0): its own configuration, pid file, temp paths and error log, all named
    nginx-backend*, so that it never shares a file with an nginx stream proxy (nginx-stream-*). The same files also
    on pp_port for connections that begin with a PROXY protocol header (a variant with --send-proxy)."""
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "small"), "wb") as f:
        f.write(b"x" * 99 + b"\n")  # a 100-byte file
    conf = os.path.join(tmp, "nginx-backend.conf")
    errlog = os.path.join(logdir, "nginx-backend-error.log")
    with open(conf, "w") as f:
        f.write(f"""# generated by bench/lib/bench.py: the HTTP backend
user root;
worker_processes 1;
daemon off;
pid {tmp}/nginx-backend.pid;
error_log {errlog} warn;
worker_rlimit_nofile 20000;
events {{ worker_connections 10000; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-backend-body;
    proxy_temp_path {tmp}/nginx-backend-proxy;
    fastcgi_temp_path {tmp}/nginx-backend-fastcgi;
    uwsgi_temp_path {tmp}/nginx-backend-uwsgi;
    scgi_temp_path {tmp}/nginx-backend-scgi;
    default_type application/octet-stream;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        listen 127.0.0.1:{pp_port} proxy_protocol backlog=4096;
        root {www};
        location / {{ }}
    }}
}}
""")
    p = procs.start("nginx-backend", ["nginx", "-e", errlog, "-c", conf], LOAD_CPU)
    wait_listening(port, p, timeout=10)
    return p


def start_iperf_server(procs, port):
    p = procs.start("iperf3-server", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port), "--idle-timeout", "60"],
                    LOAD_CPU)
    wait_listening(port, p, timeout=10)
    return p


def haproxy_conf(tmp, name, port, backend_port):
    conf = os.path.join(tmp, f"{name}.cfg")
    with open(conf, "w") as f:
        f.write(f"""# generated by bench/lib/bench.py: HAProxy as a plain TCP relay, one thread, no logging
global
    nbthread 1
    maxconn 9900

defaults
    mode tcp
    maxconn 9900
    timeout connect 5s
    timeout client 1h
    timeout server 1h

frontend bench
    bind 127.0.0.1:{port}
    default_backend servers

backend servers
    server s1 127.0.0.1:{backend_port}
""")
    return conf


def nginx_stream_conf(tmp, logdir, name, port, backend_port):
    """nginx as a plain TCP relay: the stream module, one worker, no access log, HAProxy's timeouts. Errors
    only (a healthy run logs nothing at that level) go to logs/NAME-error.log. A session takes two of the
    worker's connections (client and server side): 9,000 sessions need 18,000, and as many descriptors."""
    conf = os.path.join(tmp, f"{name}.conf")
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = 20000 if nofile == resource.RLIM_INFINITY else min(nofile, 1 << 20)
    with open(conf, "w") as f:
        f.write(f"""# generated by bench/lib/bench.py: nginx (stream module) as a plain TCP relay, one worker, no logging
load_module {NGINX_STREAM_MODULE};
user root;
worker_processes 1;
daemon off;
pid {tmp}/{name}.pid;
error_log {logdir}/{name}-error.log error;
worker_rlimit_nofile {nofile};
events {{ worker_connections {max(1024, min(20000, nofile - 64))}; }}

stream {{
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        proxy_pass 127.0.0.1:{backend_port};
        proxy_connect_timeout 5s;
        proxy_timeout 1h;
    }}
}}
""")
    return conf


def proxy_argv(kind, tmp, logdir, name, port, backend_port):
    if kind == "haproxy":
        return ["haproxy", "-db", "-f", haproxy_conf(tmp, name, port, backend_port)]
    if kind == "nginx":
        # -e: the error log before the configuration is read (Debian's default is stderr anyway)
        return ["nginx", "-e", os.path.join(logdir, f"{name}-error.log"),
                "-c", nginx_stream_conf(tmp, logdir, name, port, backend_port)]
    return [BALANCE, "-f", str(port), f"127.0.0.1:{backend_port}"]


def proc_name(target, phase):
    """Log and configuration names: haproxy-bulk, nginx-stream-http, balance-idle, balance-nio-start, ..."""
    return ("nginx-stream" if target == "nginx" else safe_name(target)) + "-" + phase


# --------------------------------------------------------------------------------------------- the bench

class Bench:
    def __init__(self, args, outdir):
        self.a = args
        self.out = outdir
        self.tmp = os.path.join(outdir, "tmp")
        self.logdir = os.path.join(outdir, "logs")
        os.makedirs(self.tmp, exist_ok=True)
        os.makedirs(self.logdir, exist_ok=True)
        self.rundir = os.path.join(self.tmp, "rundir")
        os.makedirs(self.rundir, mode=0o700, exist_ok=True)
        self.env = dict(os.environ, BALANCE_RUNDIR=self.rundir)
        # the targets of this run: direct, the proxies chosen with --targets, then the balance variants
        self.variants = args.variants  # {"balance:NAME": {ENV: VALUE}}
        self.targets = [k for k in KINDS if k in args.targets] + list(self.variants)
        self.proxies = [t for t in self.targets if t != "direct"]
        self.procs = Procs(self.logdir)
        self.samples = []   # dicts: metric, target, rep, value, plus details
        self.reruns = []    # windows measured again because of others' load
        # the default budget of re-runs grows with the targets: 4 each (16 for the usual four), quick 1 each
        self.reruns_left = (args.max_reruns if args.max_reruns >= 0
                            else len(self.targets) * (1 if args.quick else 4))
        self.warmups = {}
        self.show_failure = None
        self.notes = []
        self.meta = {}
        self.deadline = time.monotonic() + args.max_minutes * 60
        q = args.quick
        self.runs = args.runs or (1 if q else 3)
        self.bulk_secs = 2 if q else 5
        self.bulk_omit = 1
        self.http_secs = 2 if q else 5
        self.warm_secs = 1 if q else 2       # bulk warm-up round
        self.http_warm_secs = 1 if q else 3  # HTTP warm-up round, per proxy and mode
        self.warm_rounds = 2 if q else 4     # at most, until the JIT is done (see warm())
        self.start_runs = 3 if q else 7
        self.show_runs = 5 if q else 20
        self.conns = args.conns
        # cold start: fresh processes, load from the first answer in back-to-back windows (see phase_coldstart)
        self.cold_window_s = COLD_WINDOW_S
        self.cold_windows = args.cold_windows or (2 if q else 4)
        self.standby_idle_s = args.standby_idle

    # -- bookkeeping

    def add(self, metric, target, rep, value, **detail):
        self.samples.append(dict(metric=metric, target=target, rep=rep, value=value, **detail))

    def note(self, msg):
        log("NOTE: " + msg)
        self.notes.append(msg)

    def time_left(self, need=0):
        return time.monotonic() + need < self.deadline

    def env_for(self, target):
        """A variant's environment is the run's plus its own settings (BALANCE_JVM_OPTS, BALANCE_JAR, ...)."""
        return dict(self.env, **self.variants.get(target, {}))

    def variant_argv(self, target, name, port, backend_port):
        """The proxy's command line, with a balance variant's BALANCE_ARGS and BALANCE_CHANNELS applied."""
        env = self.env_for(target)
        argv = proxy_argv(kind_of(target), self.tmp, self.logdir, name, port, backend_port)
        if kind_of(target) == "balance" and (env.get("BALANCE_ARGS") or env.get("BALANCE_CHANNELS")):
            # bench knobs, not balance's: options before the port (BALANCE_ARGS), and channel words instead of the
            # one backend (BALANCE_CHANNELS, {backend} standing for its port, {backend_pp} for the HTTP backend's port
            # that expects a PROXY protocol header), to measure what an option costs
            channels = env.get("BALANCE_CHANNELS", "127.0.0.1:{backend}").replace("{backend}", str(backend_port))
            channels = channels.replace("{backend_pp}", str(getattr(self, "backend_pp_port", backend_port)))
            argv = argv[:2] + env.get("BALANCE_ARGS", "").split() + [argv[2]] + channels.split()
        return argv

    def start_proxy(self, target, phase, port, backend_port):
        name = proc_name(target, phase)
        env = self.env_for(target)
        argv = self.variant_argv(target, name, port, backend_port)
        stats_port = None
        if kind_of(target) == "balance" and env.get("BALANCE_STATS"):
            # a bench knob, not balance's: --stats on a free port, and /metrics scraped every second meanwhile
            stats_port = free_port()
            argv = argv[:2] + ["--stats", f"127.0.0.1:{stats_port}"] + argv[2:]
        p = self.procs.start(name, argv, PROXY_CPU, env=env)
        wait_listening(port, p, timeout=60)
        if stats_port:
            self.scrape(name, p, stats_port)
        return p

    def scrape(self, name, p, stats_port):
        """GET /metrics once a second while the proxy runs, as Prometheus would; counts kept in self.meta."""
        import threading
        import urllib.request
        counts = self.meta.setdefault("scrapes", {}).setdefault(name, {"ok": 0, "failed": 0, "bytes": 0})

        def loop():
            while p.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/metrics", timeout=2) as r:
                        counts["bytes"] = len(r.read())
                        counts["ok"] += 1
                except OSError:
                    if p.poll() is None:
                        counts["failed"] += 1
                time.sleep(1)

        threading.Thread(target=loop, daemon=True).start()

    def start_proxies(self, phase, backend_port):
        """One proxy of each kind in front of the backend, for the whole phase; a target that does not start is
        noted and left out of the phase instead of ending the run."""
        ports, procs = {}, {}
        for t in self.proxies:
            ports[t] = free_port()
            try:
                procs[t] = self.start_proxy(t, phase, ports[t], backend_port)
            except BenchError as e:
                self.note(f"{phase}: {t} did not start ({e}); left out of this phase")
                del ports[t]
        return ports, procs

    def measure(self, pid, backend, fn, what):
        """Runs fn() in a Window. When others used more than --noise-limit % of either core during it, runs
        it again (at most twice, within the run's re-run budget and time) and keeps the quietest attempt."""
        best = None
        attempts = 0
        while True:
            attempts += 1
            with Window(pid, backend) as w:
                r = fn()
            f = w.figures()
            # for the direct path nothing of ours runs on CPU 1: only the load core's noise matters
            noise = max(f["core_other_pct"] or 0.0 if pid else 0.0, f["load_other_pct"] or 0.0)
            f["noise_max_pct"] = noise
            if best is None or noise < best[1]["noise_max_pct"]:
                best = (r, f)
            if noise <= self.a.noise_limit or attempts > 2 or self.reruns_left <= 0 or not self.time_left(60):
                break
            self.reruns_left -= 1
            self.reruns.append(f"{what}: {noise:.0f} %")
            log(f"    {what}: others used {f['core_other_pct']:.0f} % of CPU {PROXY_CPU} and "
                f"{f['load_other_pct']:.0f} % of CPU {LOAD_CPU}: measuring again")
        best[1]["attempts"] = attempts
        return best

    def warm(self, pid, fn, secs, max_rounds, what):
        """Warm-up rounds of secs each until the JVM's JIT compiler threads are (nearly) idle: at most 2 % of
        the round in compiler threads, or max_rounds. One round for processes without such threads."""
        comp = 0.0
        for i in range(max_rounds):
            th0 = group_thread_ticks(pid) if pid else {}
            try:
                fn(secs)
            except BenchError as e:
                self.note(f"warm-up {what}: {e}")
                return
            th1 = group_thread_ticks(pid) if pid else {}
            comp = sum(v - th0.get(k, 0) for k, v in th1.items() if "Compiler" in k) / HZ
            if comp <= 0.02 * secs:
                break
        self.warmups[what] = {"rounds": i + 1, "round_s": secs, "compiler_s_last_round": comp}
        if pid:
            log(f"  warm-up {what}: {i + 1} round(s) of {secs} s; JIT compiler threads {comp:.2f} s in the last")

    @staticmethod
    def order(targets, rep):
        """Rotates the order of the targets from one repetition to the next, so that drift spreads evenly."""
        k = rep % len(targets) if targets else 0
        return targets[k:] + targets[:k]

    # -- phases

    def background(self, label):
        """CPU use of both cores over 2 s while the benchmark itself is idle: the other users of this machine."""
        a0, a1 = cpu_ticks(0), cpu_ticks(1)
        time.sleep(2)
        b0, b1 = cpu_ticks(0), cpu_ticks(1)
        pct = lambda a, b: round(100.0 * (b[0] - a[0]) / max(1, b[2] - a[2]), 1)
        self.meta[f"background_busy_pct_{label}"] = {"cpu0": pct(a0, b0), "cpu1": pct(a1, b1)}
        log(f"background load ({label}): cpu0 {pct(a0, b0)} %, cpu1 {pct(a1, b1)} % busy")

    def phase_bulk(self, iperf_port, iperf_pgid):
        log(f"bulk transfer (iperf3): {', '.join(self.targets)} in front of one iperf3 server")
        ports, procs = self.start_proxies("bulk", iperf_port)
        if "direct" in self.targets:
            ports["direct"] = iperf_port
        targets = [t for t in self.targets if t in ports]
        pids = {t: (procs[t].pid if t in procs else None) for t in targets}
        try:
            for t in targets:  # warm-up, not recorded
                for streams, reverse in ((1, False), (8, False), (1, True)):
                    self.warm(pids[t], lambda secs: run_iperf(ports[t], streams, reverse, secs, 0),
                              self.warm_secs if pids[t] else 1, self.warm_rounds if pids[t] else 1,
                              f"bulk -P {streams}{' -R' if reverse else ''} {t}")
            for t in procs:
                wait_quiet(pids[t])
            cases = [("bulk1", 1, False), ("bulk8", 8, False), ("bulk1r", 1, True)]
            for rep in range(self.runs):
                for metric, streams, reverse in cases:
                    for t in self.order(targets, rep):
                        if not self.time_left(self.bulk_secs + 30):
                            self.note(f"time budget exhausted: skipped {metric} {t} rep {rep}")
                            continue
                        try:
                            r, f = self.measure(pids[t], iperf_pgid, lambda: run_iperf(
                                ports[t], streams, reverse, self.bulk_secs, self.bulk_omit), f"{metric} {t} rep {rep}")
                        except BenchError as e:
                            self.note(f"{metric} {t} rep {rep}: {e}")
                            continue
                        self.add(metric + "_gbps", t, rep, r["gbit_s"], retransmits=r["retransmits"], **f)
                        self.add(metric + "_core_pct", t, rep, f["core_busy_pct"])
                        self.add("noise_pct", t, rep, f["core_other_pct"], window=metric)
                        self.add("noise_load_pct", t, rep, f["load_other_pct"], window=metric)
                        log(f"  {metric:7s} {t:8s} rep {rep}: {r['gbit_s']:7.2f} Gbit/s, "
                            f"proxy core {f['core_busy_pct']:5.1f} % busy")
        finally:
            for p in procs.values():
                self.procs.stop(p)

    def phase_http(self, nginx_port, nginx_pgid):
        log("request rates (wrk -> nginx, 100-byte file): keep-alive, and one request per connection")
        ports, procs = self.start_proxies("http", nginx_port)
        if "direct" in self.targets:
            ports["direct"] = nginx_port
        targets = [t for t in self.targets if t in ports]
        pids = {t: (procs[t].pid if t in procs else None) for t in targets}
        try:
            for t in targets:  # warm-up, not recorded
                for close in (False, True):
                    self.warm(pids[t], lambda secs: run_wrk(ports[t], secs, self.conns, close),
                              self.http_warm_secs if pids[t] else 1, self.warm_rounds if pids[t] else 1,
                              f"{'new connections' if close else 'keep-alive'} {t}")
            for t in procs:
                wait_quiet(pids[t])
            for rep in range(self.runs):
                for metric, close in (("ka", False), ("conn", True)):
                    for t in self.order(targets, rep):
                        if not self.time_left(self.http_secs + 30):
                            self.note(f"time budget exhausted: skipped {metric} {t} rep {rep}")
                            continue
                        try:
                            r, f = self.measure(pids[t], nginx_pgid, lambda: run_wrk(
                                ports[t], self.http_secs, self.conns, close), f"{metric} {t} rep {rep}")
                        except BenchError as e:
                            self.note(f"{metric} {t} rep {rep}: {e}")
                            continue
                        n = r["requests"]
                        core_us = 1e6 * f["core_busy_s"] / n
                        core_irq_us = 1e6 * f["core_irq_s"] / n
                        proc_us = 1e6 * f["proc_cpu_s"] / n if f["proc_cpu_s"] is not None else None
                        if r["error_count"]:
                            self.note(f"{metric} {t} rep {rep}: wrk counted errors {r['errors']}")
                        self.add(f"{metric}_rate", t, rep, r["rate"], requests=n, errors=r["errors"], **f)
                        self.add(f"{metric}_p50_us", t, rep, r["p50_us"])
                        self.add(f"{metric}_p99_us", t, rep, r["p99_us"])
                        self.add(f"{metric}_core_us", t, rep, core_us)
                        self.add(f"{metric}_core_irq_us", t, rep, core_irq_us)
                        if proc_us is not None:
                            self.add(f"{metric}_proc_us", t, rep, proc_us)
                        self.add(f"{metric}_core_pct", t, rep, f["core_busy_pct"])
                        self.add("noise_pct", t, rep, f["core_other_pct"], window=metric)
                        self.add("noise_load_pct", t, rep, f["load_other_pct"], window=metric)
                        log(f"  {metric:4s} {t:8s} rep {rep}: {r['rate']:9.0f}/s p50 {r['p50_us']/1000:6.2f} ms "
                            f"p99 {r['p99_us']/1000:6.2f} ms, proxy core {core_us:6.1f} us/req "
                            f"({f['core_busy_pct']:.0f} % busy)" + (f", proxy process {proc_us:6.1f} us/req"
                                                                     if proc_us is not None else ""))
            if "balance" in procs:
                self.phase_show(ports["balance"], procs["balance"])
        finally:
            for p in procs.values():
                self.procs.stop(p)

    def phase_show(self, port, proc):
        log(f"control client: bin/balance -c show {port} (BALANCE_RUNDIR={self.rundir})")
        argv = ["taskset", "-c", str(LOAD_CPU), BALANCE, "-c", "show", str(port)]
        times, failed = [], None
        for i in range(self.show_runs):
            if not self.time_left(15):
                self.note("time budget exhausted: -c show cut short")
                break
            t0 = time.perf_counter()
            try:
                r = subprocess.run(argv, capture_output=True, env=self.env, timeout=10, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                failed = "timed out after 10 s"
                break
            dt = (time.perf_counter() - t0) * 1000
            out = (r.stdout + r.stderr).decode(errors="replace")
            if i == 0:
                with open(os.path.join(self.logdir, "show-output.txt"), "w") as f:
                    f.write(f"# exit {r.returncode}\n{out}")
            if r.returncode != 0 or "no master process" in out:
                failed = f"exit {r.returncode}: {out.strip().splitlines()[0] if out.strip() else '(no output)'}"
                self.add("show_failed_ms", "balance", i, dt)
                if i >= 2:
                    break
                continue
            times.append(dt)
            self.add("show_ms", "balance", i, dt)
        if failed and not times:
            self.show_failure = failed
            self.note(f"-c show does not work yet ({failed}): reported as n/a")
        elif times:
            log(f"  -c show: median {statistics.median(times):.0f} ms over {len(times)} runs")

    def phase_memory(self):
        log("idle sessions: RSS of a fresh proxy with 1,000 and 9,000 idle sessions through it")
        hold_port = free_port()
        count_file = os.path.join(self.tmp, "held")
        holder = self.procs.start("idle-holder", [PY, IDLE, "hold", "--port", str(hold_port), "--count-file",
                                                  count_file, "--max-seconds", str(self.a.max_minutes * 60)],
                                  LOAD_CPU)
        wait_listening(hold_port, holder, timeout=10)

        def held():
            try:
                with open(count_file) as f:
                    return int(f.read() or 0)
            except (OSError, ValueError):
                return -1

        def wait_held(n, timeout=60.0):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if held() == n:
                    return True
                time.sleep(0.05)
            return False

        try:
            for t in self.proxies:
                if not self.time_left(60):
                    self.note(f"time budget exhausted: skipped memory of {t}")
                    continue
                port = free_port()
                try:
                    proxy = self.start_proxy(t, "idle", port, hold_port)
                except BenchError as e:
                    self.note(f"memory {t}: did not start ({e})")
                    continue
                opener = self.procs.start(f"idle-clients-{safe_name(t)}", [PY, IDLE, "open", "--port", str(port)],
                                          LOAD_CPU, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

                def cmd(line, timeout=120.0):
                    opener.stdin.write((line + "\n").encode())
                    opener.stdin.flush()
                    answer = opener.stdout.readline().decode().split()
                    if not answer or answer[0] != "ok":
                        raise BenchError(f"idle client: {line} -> {answer}")
                    return int(answer[1]), int(answer[2])

                try:
                    wait_held(0, 10)
                    _, bad = cmd("warm 200")
                    if bad:
                        self.note(f"memory {t}: {bad} warm-up connections failed")
                    if not wait_held(0, 20):
                        self.note(f"memory {t}: warm-up sessions did not all end (holder has {held()})")
                    wait_quiet(proxy.pid)
                    time.sleep(1.0)
                    # the proxy's whole process group: nginx's master + worker, one process for the others
                    rss0, per0 = settled_rss(proxy.pid)
                    fds0 = group_fd_count(proxy.pid)
                    self.add("mem_rss_base_mb", t, 0, rss0 / 1024.0, rss_kb_per_pid=per0)
                    for n in (1000, 9000):
                        opened, bad = cmd(f"open {n}")
                        if opened != n:
                            raise BenchError(f"only {opened} of {n} client connections opened ({bad} failed)")
                        if not wait_held(n, 60):
                            raise BenchError(f"backend holds {held()} of {n} sessions after 60 s")
                        time.sleep(1.0)
                        wait_quiet(proxy.pid, 5)
                        rss, per = settled_rss(proxy.pid)
                        fds = group_fd_count(proxy.pid)
                        kb = (rss - rss0) / n
                        self.add(f"mem_kb_{n}", t, 0, kb, rss_kb=rss, rss_base_kb=rss0, fds=fds, fds_base=fds0,
                                 rss_kb_per_pid=per, rss_base_kb_per_pid=per0)
                        self.add(f"mem_rss_{n}_mb", t, 0, rss / 1024.0)
                        log(f"  {t:8s} {n:5d} sessions: RSS {rss0/1024:.1f} -> {rss/1024:.1f} MiB = {kb:.2f} KB per "
                            f"session; proxy fds {fds0} -> {fds}"
                            + (f" ({len(per)} processes: " + ", ".join(f"{v/1024:.1f}" for v in per.values())
                               + " MiB)" if len(per) > 1 else ""))
                        if fds - fds0 < 2 * n:
                            self.note(f"memory {t}: proxy has {fds - fds0} new fds for {n} sessions (expected {2*n})")
                    diag = kind_of(t) == "balance" and shutil.which("jcmd") and not self.a.no_jvm_diagnostics
                    if diag:
                        env = self.env_for(t)
                        with open(os.path.join(self.logdir, f"{safe_name(t)}-jvm-heap.txt"), "w") as f:
                            used9, live9, _ = self.jvm_diagnostics(proxy.pid, env, "9000 sessions open", f)
                            cmd("close")
                            wait_held(0, 30)
                            time.sleep(0.5)
                            _, live0, rss_after = self.jvm_diagnostics(proxy.pid, env, "all sessions closed", f)
                        if used9 is not None and live9 is not None and live0 is not None:
                            self.add("jvm_heap_used_9000_mb", t, 0, used9 / 1024.0)
                            self.add("jvm_live_9000_mb", t, 0, live9 / 1024.0)
                            self.add("jvm_live_0_mb", t, 0, live0 / 1024.0)
                            self.add("jvm_live_kb_per_session", t, 0, (live9 - live0) / 9000.0,
                                     live_9000_kb=live9, live_0_kb=live0)
                            log(f"  {t} JVM heap with 9000 sessions: {used9/1024:.1f} MiB in use (garbage "
                                f"included), {live9/1024:.1f} MiB live after a full GC; live data per session "
                                f"{(live9 - live0) / 9000.0:.2f} KB; RSS after closing all and a GC "
                                f"{rss_after/1024:.1f} MiB")
                    else:
                        cmd("close")
                        wait_held(0, 30)
                except (BenchError, OSError, ValueError) as e:
                    self.note(f"memory {t}: {e}")
                finally:
                    try:
                        opener.stdin.write(b"quit\n")
                        opener.stdin.flush()
                    except OSError:
                        pass
                    self.procs.stop(opener)
                    self.procs.stop(proxy)
                    wait_held(0, 20)
        finally:
            self.procs.stop(holder)

    def jcmd(self, pid, what, f):
        """Runs jcmd on CPU 0, appends its answer to f and returns it ('' when it fails)."""
        try:
            r = subprocess.run(["taskset", "-c", str(LOAD_CPU), "jcmd", str(pid)] + what, capture_output=True,
                               timeout=30)
            text = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
        except (subprocess.TimeoutExpired, OSError) as e:
            text = f"failed: {e}"
        f.write(f"## jcmd {pid} {' '.join(what)}\n{text}\n")
        return text

    @staticmethod
    def heap_used_kb(heap_info):
        """Sum of 'used' over the Java heap's generations/regions in GC.heap_info output (not metaspace)."""
        used = 0
        found = False
        for line in heap_info.splitlines():
            m = re.search(r"total (\d+)K, used (\d+)K", line)
            if m and ("generation" in line or "heap" in line) and "Metaspace" not in line:
                used += int(m.group(2))
                found = True
        return used if found else None

    def jvm_diagnostics(self, pid, env, stage, f):
        """Not a target figure: where the JVM's RSS went. Heap in use as the sessions stand (garbage included),
        then the live heap after a full GC; run after the RSS figures were taken, so it does not change them."""
        before = self.heap_used_kb(self.jcmd(pid, ["GC.heap_info"], f))
        if "NativeMemoryTracking" in env.get("BALANCE_JVM_OPTS", ""):
            self.jcmd(pid, ["VM.native_memory", "summary"], f)  # with -XX:NativeMemoryTracking=summary
        self.jcmd(pid, ["GC.run"], f)
        live = self.heap_used_kb(self.jcmd(pid, ["GC.heap_info"], f))
        rss = proc_status(pid, "VmRSS")
        f.write(f"## {stage}: heap used {before} KB before the full GC, live {live} KB after; RSS {rss} KB\n\n")
        return before, live, rss

    def prime(self, backend_port, phase):
        """One untimed start of each balance target before a phase that times fresh starts: bin/balance writes its
        class-data sharing archive beside the jar at the first start of a new jar (a warm-up JVM, seconds), which a
        timed start must not include. In a full run the bulk phase's start has done it already."""
        for t in self.proxies:
            if kind_of(t) != "balance":
                continue
            port = free_port()
            name = proc_name(t, phase + "-prime")
            t0 = time.perf_counter()
            p = self.procs.start(name, proxy_argv("balance", self.tmp, self.logdir, name, port, backend_port),
                                 PROXY_CPU, env=self.env_for(t))
            try:
                wait_serving(port, p, timeout=90, interval=0.01)
                took = time.perf_counter() - t0
                if took > 2:
                    log(f"  {t}: untimed first start took {took:.1f} s (class-data archive written)")
            except BenchError as e:
                self.note(f"{phase}: untimed first start of {t}: {e}")
            finally:
                self.procs.stop(p)

    def phase_startup(self, backend_port):
        log("start-up: exec of the proxy until a request through it is answered (polled every 2 ms)")
        self.prime(backend_port, "start")
        for rep in range(self.start_runs):
            for t in self.order(self.proxies, rep):
                if not self.time_left(20):
                    self.note(f"time budget exhausted: skipped start-up {t} rep {rep}")
                    continue
                port = free_port()
                name = proc_name(t, "start")
                argv = self.variant_argv(t, name, port, backend_port)
                t0 = time.perf_counter()
                p = self.procs.start(name, argv, PROXY_CPU, env=self.env_for(t))
                try:
                    t1 = wait_serving(port, p, timeout=30, interval=0.002)
                except BenchError as e:
                    self.note(f"start-up {t} rep {rep}: {e}")
                    self.procs.stop(p)
                    continue
                ms = (t1 - t0) * 1000
                stop_ms = self.procs.stop(p) * 1000
                self.add("start_ms", t, rep, ms)
                self.add("stop_ms", t, rep, stop_ms)
                log(f"  {t:8s} rep {rep}: serving after {ms:6.1f} ms; SIGTERM to exit {stop_ms:6.1f} ms")
                time.sleep(0.2)

    def phase_coldstart(self, backend_port, backend_pgid):
        """A fresh proxy under load from its first answer (issue 16): what the steady figures leave out, a JIT
        still compiling on the proxy's own core. Per target and sample, three fresh processes:
          conn     new connections (wrk -H 'Connection: close'), load from the first answer through the proxy;
          ka       keep-alive the same way;
          standby  started, left without any traffic for --standby-idle s (a keepalived backup), then one timed
                   request (its first session) and the new-connection load, first window only.
        The load is consecutive wrk runs of cold_window_s each; the time without load between two of them (wrk's
        exec and set-up, our /proc reads) is recorded as cold_gap_ms."""
        w, n = self.cold_window_s, self.cold_windows
        log(f"cold start: fresh proxy, load from its first answer in {n} window{'s' if n > 1 else ''} of {w} s "
            f"(new connections, "
            f"keep-alive), and a standby idle for {self.standby_idle_s:g} s before its first {w} s of load")
        need = {"conn": n * w + 15, "ka": n * w + 15, "standby": self.standby_idle_s + w + 15}
        self.prime(backend_port, "cold")
        for rep in range(self.runs):
            for t in self.order(self.proxies, rep):
                for mode in ("conn", "ka", "standby"):
                    if not self.time_left(need[mode]):
                        self.note(f"time budget exhausted: skipped cold start {mode} {t} rep {rep}")
                        continue
                    best, attempts = None, 0
                    while True:
                        attempts += 1
                        try:
                            res = self.cold_sample(t, mode, backend_port, backend_pgid)
                        except BenchError as e:
                            self.note(f"cold start {mode} {t} rep {rep}: {e}")
                            break
                        # a cold start cannot be measured again in the same process: a noisy first window
                        # costs a whole new sample (at most one, within the run's re-run budget)
                        noise = res["windows"][0]["noise_max_pct"]
                        if best is None or noise < best["windows"][0]["noise_max_pct"]:
                            best = res
                        if (noise <= self.a.noise_limit or attempts > 1 or self.reruns_left <= 0
                                or not self.time_left(2 * need[mode])):
                            break
                        self.reruns_left -= 1
                        self.reruns.append(f"cold {mode} {t} rep {rep}: {noise:.0f} %")
                        log(f"    cold {mode} {t} rep {rep}: others used {noise:.0f} % of a core in the first "
                            f"window: a new sample")
                    if best:
                        best["attempts"] = attempts
                        self.record_cold(t, rep, best)
                    time.sleep(0.2)

    def cold_sample(self, t, mode, backend_port, backend_pgid):
        """One fresh process of target t, pinned like the other phases, measured as phase_coldstart says."""
        close = mode != "ka"
        nwin = 1 if mode == "standby" else self.cold_windows
        port = free_port()
        name = proc_name(t, "cold")
        argv = self.variant_argv(t, name, port, backend_port)  # a variant's BALANCE_ARGS too (--warmup)
        res = {"mode": mode, "windows": []}
        t0 = time.perf_counter()
        p = self.procs.start(name, argv, PROXY_CPU, env=self.env_for(t))
        try:
            if mode == "standby":
                wait_listening(port, p, timeout=30)  # no connection: a standby has served nothing
                time.sleep(self.standby_idle_s)
                t1 = time.perf_counter()
                if answers(port, timeout=10):
                    res["first_ms"] = (time.perf_counter() - t1) * 1000
                else:  # not serving yet (a start slower than the idle time): wait, and say so
                    wait_serving(port, p, timeout=30, interval=0.002)
                    self.note(f"cold start standby {t}: not serving {self.standby_idle_s:g} s after it listened")
                served = time.perf_counter()
            else:
                served = wait_serving(port, p, timeout=30, interval=0.002)
                res["start_ms"] = (served - t0) * 1000
            # the groups' members once (nginx's worker answered, so it is there): no /proc scan between windows
            ppids, bpids = group_pids(p.pid), group_pids(backend_pgid)
            last = served
            for i in range(nwin):
                with Window(p.pid, backend_pgid, ppids, bpids) as win:
                    r = run_wrk(port, self.cold_window_s, self.conns, close)
                f = win.figures()
                # wrk's duration starts after its thread is set up and ends after the thread is joined: the rest
                # of its wall time, plus ours between two runs, is time without load (an upper bound: its
                # thread starts connecting a little before the clock)
                overhead = (win.t1 - win.t0) - r["duration_us"] / 1e6
                jit = sum(v - win.th0.get(k, 0) for k, v in win.th1.items() if "Compiler" in k) / HZ
                noise = max(f["core_other_pct"] or 0.0, f["load_other_pct"] or 0.0)
                res["windows"].append({
                    "rate": r["rate"], "p50_us": r["p50_us"], "p99_us": r["p99_us"], "requests": r["requests"],
                    "errors": r["errors"], "error_count": r["error_count"], "gap_ms": 1000 * (win.t0 - last + overhead),
                    "from_s": win.t0 - served + overhead, "to_s": win.t1 - served, "jit_s": jit,
                    "noise_max_pct": noise, "figures": f})
                last = win.t1
            if mode == "conn":
                # the same single request as the standby's first session, from a process that has served
                t1 = time.perf_counter()
                if answers(port, timeout=10):
                    res["after_load_ms"] = (time.perf_counter() - t1) * 1000
        finally:
            self.procs.stop(p)
        return res

    def record_cold(self, t, rep, res):
        mode = res["mode"]
        if "start_ms" in res:
            self.add("cold_start_ms", t, rep, res["start_ms"], mode=mode)
        if "first_ms" in res:
            self.add("standby_first_ms", t, rep, res["first_ms"])
        if "after_load_ms" in res:
            self.add("cold_after_load_ms", t, rep, res["after_load_ms"])
        for i, wd in enumerate(res["windows"]):
            f = wd["figures"]
            detail = {k: v for k, v in wd.items() if k not in ("rate", "figures")}
            self.add(f"cold_{mode}_rate_w{i}", t, rep, wd["rate"], attempts=res["attempts"], **detail, **f)
            self.add(f"cold_{mode}_p50_us_w{i}", t, rep, wd["p50_us"])
            self.add(f"cold_{mode}_p99_us_w{i}", t, rep, wd["p99_us"])
            if kind_of(t) == "balance":
                self.add(f"cold_{mode}_jit_s_w{i}", t, rep, wd["jit_s"])
            # the first window's lead (first answer to load) is not a gap between windows
            self.add("cold_gap_ms" if i else "cold_lead_ms", t, rep, wd["gap_ms"], mode=mode)
            self.add("noise_pct", t, rep, f["core_other_pct"], window=f"cold {mode} w{i}")
            self.add("noise_load_pct", t, rep, f["load_other_pct"], window=f"cold {mode} w{i}")
            if wd["error_count"]:
                self.note(f"cold {mode} {t} rep {rep} window {i}: wrk counted errors {wd['errors']}")
        w0 = res["windows"][0]
        head = (f"start to first answer {res['start_ms']:6.1f} ms" if "start_ms" in res
                else f"idle {self.standby_idle_s:g} s, first session {res.get('first_ms', float('nan')):6.2f} ms")
        log(f"  cold {mode:7s} {t:8s} rep {rep}: {head}; windows "
            + ", ".join(f"{wd['from_s']:.1f}-{wd['to_s']:.1f} s {wd['rate']:.0f}/s p99 {wd['p99_us']/1000:.1f} ms"
                        + (f" JIT {wd['jit_s']:.2f} s" if kind_of(t) == "balance" else "")
                        for wd in res["windows"])
            + "; load off before each " + ", ".join(f"{wd['gap_ms']:.0f}" for wd in res["windows"]) + " ms"
            + (f" (others {w0['noise_max_pct']:.0f} % of a core in the first)" if w0["noise_max_pct"] > 5 else ""))

    # -- the whole run

    def run(self):
        phases = self.a.phases.split(",")
        self.collect_meta()
        if "nginx" in self.targets and not os.path.exists(NGINX_STREAM_MODULE):
            raise BenchError(f"{NGINX_STREAM_MODULE} is missing: install Debian's libnginx-mod-stream "
                             f"(bench/run does), or leave nginx out with --targets")
        self.background("before")
        nginx_port, iperf_port = free_port(), free_port()
        try:
            iperf = start_iperf_server(self.procs, iperf_port)
            self.backend_pp_port = free_port()
            nginx = start_nginx(self.procs, self.tmp, self.logdir, nginx_port, self.backend_pp_port)
            if "bulk" in phases:
                self.phase_bulk(iperf_port, iperf.pid)
            if "http" in phases:
                self.phase_http(nginx_port, nginx.pid)
            if "memory" in phases:
                self.phase_memory()
            if "startup" in phases:
                self.phase_startup(nginx_port)
            if "coldstart" in phases:
                self.phase_coldstart(nginx_port, nginx.pid)
        finally:
            self.procs.stop_all()
            self.meta["show_failure"] = self.show_failure
            self.meta["reruns_for_noise"] = self.reruns
            self.meta["warmups"] = self.warmups
        self.background("after")
        if self.reruns:
            self.note(f"{len(self.reruns)} window(s) measured again because others used more than "
                      f"{self.a.noise_limit:g} % of a core: " + ", ".join(self.reruns))
        self.check_error_logs()

    def check_error_logs(self):
        """The nginx stream proxies log errors only. Resets and broken pipes are expected in the bulk phase (the
        iperf3 server ends each test by closing data connections that still have bytes in flight, which the
        kernel turns into an RST; HAProxy and balance meet the same but log nothing); anything else is noted."""
        for name in sorted(os.listdir(self.logdir)):
            if name.startswith("nginx-stream-") and name.endswith("-error.log"):
                with open(os.path.join(self.logdir, name), errors="replace") as f:
                    lines = [l.strip() for l in f if l.strip()]
                resets = [l for l in lines if "(104: Connection reset by peer)" in l or "(32: Broken pipe)" in l]
                other = [l for l in lines if l not in resets]
                if other or (resets and not name.startswith("nginx-stream-bulk")):
                    self.note(f"logs/{name}: {len(lines)} line(s), {len(resets)} of them resets or broken pipes; "
                              f"e.g. " + (other or resets)[0][:200])

    def collect_meta(self):
        def cmd(argv):
            try:
                r = subprocess.run(argv, capture_output=True, timeout=10)
                return (r.stdout + r.stderr).decode(errors="replace").strip().splitlines()[0]
            except Exception as e:
                return f"? ({e})"
        cpu_model = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
        head = cmd(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "bin", "pom.xml"],
                               capture_output=True).stdout.strip()
        java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
        try:
            r = subprocess.run([java, "-version"], capture_output=True, timeout=10)
            jlines = r.stderr.decode(errors="replace").strip().splitlines()
        except Exception as e:
            jlines = [f"? ({e})"]
        self.meta.update({
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "git_head": head + (" (src/bin modified)" if dirty else ""),
            "kernel": platform.release(), "cpu_model": cpu_model, "cpus": os.cpu_count(),
            "proxy_cpu": PROXY_CPU, "load_cpu": LOAD_CPU,
            "targets": self.targets,
            "variants": {t: env for t, env in self.variants.items()},
            "haproxy": cmd(["haproxy", "-v"]), "nginx": cmd(["nginx", "-v"]),
            "nginx_stream_module": NGINX_STREAM_MODULE if os.path.exists(NGINX_STREAM_MODULE) else None,
            "iperf3": cmd(["iperf3", "-v"]), "wrk": cmd(["wrk", "-v"]),
            "java": jlines[0] if jlines else "?",
            "java_runtime": jlines[1] if len(jlines) > 1 else "",
            "balance_jvm_opts": os.environ.get("BALANCE_JVM_OPTS", ""),
            "balance_jar": os.environ.get("BALANCE_JAR") or os.path.join(ROOT, "target", "balance.jar"),
            "mode": "quick" if self.a.quick else "full", "runs": self.runs, "bulk_secs": self.bulk_secs,
            "bulk_omit_secs": self.bulk_omit, "http_secs": self.http_secs, "wrk_connections": self.conns,
            "startup_runs": self.start_runs, "show_runs": self.show_runs, "clk_tck": HZ,
            "cold_window_s": self.cold_window_s, "cold_windows": self.cold_windows,
            "standby_idle_s": self.standby_idle_s,
            "noise_limit_pct": self.a.noise_limit, "max_minutes": self.a.max_minutes,
        })


# ---------------------------------------------------------------------------------------------- summary

def cold_label(i):
    return f"{i * COLD_WINDOW_S}-{(i + 1) * COLD_WINDOW_S} s"


# the cold-start phase (issue 16): the first window against HAProxy and against the proxy's own steady rate
# (the http phase of the same run), the later windows as the curve, the standby's first window
COLD_METRICS = [
    ("cold_start_ms", "cold: start to first answer", "ms", "lower", "{:.1f}"),
    ("cold_conn_rate_w0", f"cold {cold_label(0)} new conn/s", "conn/s", "higher", "{:.0f}"),
    ("cold_conn_own", f"  cold {cold_label(0)} / steady (own)", "x", "higher", "{:.2f}"),
    ("cold_conn_p50_us_w0", f"  cold {cold_label(0)} new conn p50", "us", "info", "{:.0f}"),
    ("cold_conn_p99_us_w0", f"cold {cold_label(0)} new conn p99", "us", "lower", "{:.0f}"),
    ("cold_conn_jit_s_w0", f"  JIT compiler CPU, cold {cold_label(0)} new conn", "s", "info", "{:.2f}"),
    ("cold_ka_rate_w0", f"  cold {cold_label(0)} keep-alive req/s", "req/s", "higher", "{:.0f}"),
    ("cold_ka_p99_us_w0", f"cold {cold_label(0)} keep-alive p99", "us", "lower", "{:.0f}"),
] + [row for i in range(1, COLD_MAX_WINDOWS) for row in (
    (f"cold_conn_rate_w{i}", f"  cold {cold_label(i)} new conn/s", "conn/s", "higher", "{:.0f}"),
    (f"cold_conn_p99_us_w{i}", f"  cold {cold_label(i)} new conn p99", "us", "lower", "{:.0f}"),
    (f"cold_ka_p99_us_w{i}", f"  cold {cold_label(i)} keep-alive p99", "us", "lower", "{:.0f}"))] + [
    ("cold_standby_rate_w0", f"standby first {COLD_WINDOW_S} s conn/s", "conn/s", "higher", "{:.0f}"),
    ("cold_standby_p99_us_w0", f"standby first {COLD_WINDOW_S} s conn p99", "us", "lower", "{:.0f}"),
    ("standby_first_ms", "  standby: its first session", "ms", "info", "{:.2f}"),
    ("cold_after_load_ms", "  one session after the cold load (for comparison)", "ms", "info", "{:.2f}"),
    ("cold_lead_ms", "  first answer to load (wrk start-up)", "ms", "info", "{:.1f}"),
    ("cold_gap_ms", "  no load between two cold windows", "ms", "info", "{:.1f}"),
]

# key, label, unit, better, fmt. "better" says which way is good; for the "info" rows the best peer is the
# lower figure (they are all costs, latencies, memory or times), and shares of a core (_pct) get no ratio.
METRICS = [
    ("bulk1_gbps", "bulk 1 stream", "Gbit/s", "higher", "{:.2f}"),
    ("bulk8_gbps", "bulk 8 streams", "Gbit/s", "higher", "{:.2f}"),
    ("bulk1r_gbps", "bulk 1 stream reverse (-R)", "Gbit/s", "higher", "{:.2f}"),
    ("bulk1_core_pct", "  proxy core busy, bulk 1", "%", "info", "{:.0f}"),
    ("ka_rate", "keep-alive rate", "req/s", "higher", "{:.0f}"),
    ("ka_p50_us", "keep-alive p50 latency", "us", "lower", "{:.0f}"),
    ("ka_p99_us", "keep-alive p99 latency", "us", "lower", "{:.0f}"),
    ("ka_core_us", "keep-alive proxy-core time/req", "us", "lower", "{:.2f}"),
    ("ka_proc_us", "  proxy process CPU/req", "us", "info", "{:.2f}"),
    ("ka_core_irq_us", "  proxy-core irq+softirq/req", "us", "info", "{:.2f}"),
    ("ka_core_pct", "  proxy core busy, keep-alive", "%", "info", "{:.0f}"),
    ("conn_rate", "new connections rate", "conn/s", "higher", "{:.0f}"),
    ("conn_p50_us", "  new connection p50 latency", "us", "info", "{:.0f}"),
    ("conn_p99_us", "new connection p99 latency", "us", "lower", "{:.0f}"),
    ("conn_core_us", "new conn proxy-core time/conn", "us", "lower", "{:.2f}"),
    ("conn_proc_us", "  proxy process CPU/conn", "us", "info", "{:.2f}"),
    ("conn_core_irq_us", "  proxy-core irq+softirq/conn", "us", "info", "{:.2f}"),
    ("conn_core_pct", "  proxy core busy, new conns", "%", "info", "{:.0f}"),
    ("mem_rss_base_mb", "  RSS before idle sessions", "MiB", "info", "{:.1f}"),
    ("mem_kb_1000", "idle memory @1,000 sessions", "KB/sess", "lower", "{:.2f}"),
    ("mem_kb_9000", "idle memory @9,000 sessions", "KB/sess", "lower", "{:.2f}"),
    ("mem_rss_9000_mb", "  RSS with 9,000 sessions", "MiB", "info", "{:.1f}"),
    ("jvm_heap_used_9000_mb", "  JVM heap in use @9,000 (incl. garbage)", "MiB", "info", "{:.1f}"),
    ("jvm_live_9000_mb", "  JVM live heap @9,000 (after full GC)", "MiB", "info", "{:.1f}"),
    ("jvm_live_0_mb", "  JVM live heap, all closed (full GC)", "MiB", "info", "{:.1f}"),
    ("jvm_live_kb_per_session", "  JVM live heap/session (approx.)", "KB/sess", "info", "{:.2f}"),
    ("start_ms", "start-up to serving", "ms", "lower", "{:.1f}"),
    ("stop_ms", "  SIGTERM to exit", "ms", "info", "{:.1f}"),
    ("show_ms", "-c show wall time", "ms", "lower", "{:.0f}"),
] + COLD_METRICS + [
    ("noise_pct", "  CPU 1 busy, not the proxy (noise)", "%", "info", "{:.1f}"),
    ("noise_load_pct", "  CPU 0 busy, not load/backend (noise)", "%", "info", "{:.1f}"),
]

# metric -> the parts of its target (issue 8), each (reference, op, bound, text):
#   reference "peer": balance / best peer op bound; "direct": balance / direct op bound; None: balance op bound.
# A figure with several parts passes when all of them pass.
TARGETS_SPEC = {
    "bulk1_gbps": [("peer", ">=", 1.0, ">= 1.0 x peer"), ("direct", ">=", 0.8, ">= 0.8 x direct")],
    "bulk8_gbps": [("peer", ">=", 1.0, ">= 1.0 x peer")],
    "ka_rate": [("peer", ">=", 1.0, ">= 1.0 x peer")],
    "ka_p99_us": [("peer", "<=", 1.2, "<= 1.2 x peer")],
    "ka_core_us": [("peer", "<=", 1.0, "<= 1.0 x peer")],
    "conn_rate": [("peer", ">=", 1.0, ">= 1.0 x peer")],
    "conn_p99_us": [("peer", "<=", 1.5, "<= 1.5 x peer")],
    "conn_core_us": [("peer", "<=", 1.0, "<= 1.0 x peer")],
    "mem_kb_9000": [(None, "<=", 4.0, "<= 4 KB/session")],
    "start_ms": [(None, "<", 300.0, "< 300 ms")],
    "show_ms": [(None, "<", 150.0, "< 150 ms")],
    # issue 16 names HAProxy (started the same way) as the reference, and the proxy's own steady rate
    "cold_start_ms": [(None, "<", 500.0, "< 500 ms")],
    "cold_conn_rate_w0": [("haproxy", ">=", 0.8, ">= 0.8 x HAProxy"), ("own", ">=", 0.8, ">= 0.8 x own steady")],
    "cold_conn_p99_us_w0": [("haproxy", "<=", 2.0, "<= 2 x HAProxy")],
    "cold_ka_p99_us_w0": [("haproxy", "<=", 2.0, "<= 2 x HAProxy")],
    "cold_standby_rate_w0": [("haproxy", ">=", 0.8, ">= 0.8 x HAProxy")],
    "cold_standby_p99_us_w0": [("haproxy", "<=", 2.0, "<= 2 x HAProxy")],
}

# how a target's reference is named in the explanations below the table
REF_NAMES = {"peer": "the best peer", "direct": "direct", "haproxy": "HAProxy",
             "own": "balance's own steady rate (http phase)", None: "the limit"}

# figures that are ratios of a target to itself or diagnostics: no ratio to a peer
NO_PEER_RATIO = {"cold_conn_own", "cold_lead_ms", "cold_gap_ms"}

# figures whose value for the direct path means nothing (no proxy there)
NO_DIRECT = {"ka_core_us", "ka_proc_us", "ka_core_irq_us", "conn_core_us", "conn_proc_us", "conn_core_irq_us",
             "mem_rss_base_mb", "mem_kb_1000", "mem_kb_9000", "mem_rss_9000_mb", "start_ms", "stop_ms", "show_ms"}
NO_DIRECT |= {m[0] for m in COLD_METRICS}

PEER_SHORT = {"haproxy": "HAP", "nginx": "nginx"}


def compare(op, a, b):
    return {">=": a >= b, "<=": a <= b, "<": a < b, ">": a > b}[op]


def targets_of(samples, meta):
    """The run's targets: from meta (this version), else from the samples (results of older versions)."""
    if meta.get("targets"):
        return list(meta["targets"])
    seen = {s["target"] for s in samples}
    return [k for k in KINDS if k in seen] + sorted(t for t in seen if t.startswith("balance:"))


def best_peer(row, better):
    """The better of HAProxy and nginx on this figure (the higher for 'higher', else the lower); on a tie HAProxy."""
    cands = [p for p in PEERS if row.get(p) is not None]
    if not cands:
        return None
    return max(cands, key=lambda p: row[p]) if better == "higher" else min(cands, key=lambda p: row[p])


def best_peer_range(row, better):
    """The range the best peer's figure took over the runs: per run, the better of the two peers can be no
    worse than the better of their worst runs and no better than the better of their best runs."""
    cands = [p for p in PEERS if row.get(p) is not None]
    los = [row[p + "_min"] for p in cands]
    his = [row[p + "_max"] for p in cands]
    if better == "higher":
        return max(los), max(his), min(row[p + "_n"] for p in cands)
    return min(los), min(his), min(row[p + "_n"] for p in cands)


def summarize(samples, show_failure, targets=None):
    targets = targets or targets_of(samples, {})
    variants = [t for t in targets if t.startswith("balance:")]
    cols = list(KINDS) + variants
    by = {}
    for s in samples:
        if s["value"] is not None:
            by.setdefault((s["metric"], s["target"]), []).append(s["value"])

    def med(metric, t):
        v = by.get((metric, t))
        return statistics.median(v) if v else None

    # cold start over steady: each target's first cold window over its own steady new-connection rate
    for t in cols:
        cold, steady = med("cold_conn_rate_w0", t), med("conn_rate", t)
        if cold is not None and steady:
            by[("cold_conn_own", t)] = [cold / steady]

    rows = []
    for key, label, unit, better, fmt in METRICS:
        row = {"metric": key, "label": label.strip(), "unit": unit, "better": better, "fmt": fmt,
               "variants": variants}
        for t in cols:
            vals = by.get((key, t))
            if key in NO_DIRECT and t == "direct":
                vals = None
            row[t] = statistics.median(vals) if vals else None
            row[t + "_min"] = min(vals) if vals else None
            row[t + "_max"] = max(vals) if vals else None
            row[t + "_n"] = len(vals) if vals else 0
        b = row["balance"]
        way = "higher" if better == "higher" else "lower"
        ratio = lambda x, y: x / y if x is not None and y else None
        if key == "cold_conn_rate_w0" and by.get(("conn_rate", "balance")):
            # the reference "own": balance's steady rate from the http phase, with its range over the runs
            vals = by[("conn_rate", "balance")]
            row["own"], row["own_min"], row["own_max"], row["own_n"] = (statistics.median(vals), min(vals),
                                                                        max(vals), len(vals))
            row["ratio_own"] = b / row["own"] if b is not None else None
        elif key == "cold_conn_rate_w0":
            row["ratio_own"] = None
        if key.endswith("_pct") or key in NO_PEER_RATIO:  # shares of a core: the ratio of two shares tells nothing
            row["best_peer"] = None
            row["ratio_peer"] = row["ratio_haproxy"] = row["ratio_nginx"] = row["ratio_direct"] = None
            for v in variants:
                row["ratio_" + v] = None
        else:
            row["best_peer"] = best_peer(row, way)
            row["ratio_peer"] = ratio(b, row[row["best_peer"]]) if row["best_peer"] else None
            row["ratio_haproxy"] = ratio(b, row["haproxy"])
            row["ratio_nginx"] = ratio(b, row["nginx"])
            row["ratio_direct"] = ratio(b, row["direct"])
            for v in variants:  # variant / balance: the A/B figure
                row["ratio_" + v] = ratio(row[v], b)
        spec = TARGETS_SPEC.get(key, [])
        row["target"] = ", ".join(p[3] for p in spec)
        row["status"] = ""
        row["overlap"] = False
        row["parts"] = []
        for ref, op, bound, text in spec:
            part = {"reference": ref, "op": op, "bound": bound, "text": text, "overlap": False}
            if ref is None:
                val = b
            elif ref == "peer":
                val = row["ratio_peer"]
                part["peer"] = row["best_peer"]
            else:
                val = row["ratio_" + ref]
            part["value"] = val
            part["status"] = "n/a" if val is None else ("PASS" if compare(op, val, bound) else "MISS")
            # are the two sample ranges (the reference's scaled by the bound) apart, or could noise flip it?
            if ref is not None and val is not None and row["balance_n"] > 1:
                if ref == "peer":
                    rlo, rhi, rn = best_peer_range(row, way)
                else:
                    rlo, rhi, rn = row[ref + "_min"], row[ref + "_max"], row[ref + "_n"]
                if rn > 1:
                    part["overlap"] = row["balance_min"] <= rhi * bound and rlo * bound <= row["balance_max"]
            row["parts"].append(part)
        decided = [p for p in row["parts"] if p["status"] != "n/a"]
        if spec:
            if not decided:
                row["status"] = "n/a"
            elif any(p["status"] == "MISS" for p in decided):
                row["status"] = "MISS"
                # a MISS could turn into a PASS only if every part that misses could
                row["overlap"] = all(p["overlap"] for p in decided if p["status"] == "MISS")
            else:
                row["status"] = "PASS"
                row["overlap"] = any(p["overlap"] for p in decided)
            why = []
            if len(decided) > 1 and len({p["status"] for p in decided}) > 1:
                why.append(", ".join(
                    f"{p['status']} against " + (f"the best peer ({PEER_NAMES[p['peer']]}: " if p["reference"] == "peer"
                                                 else REF_NAMES[p["reference"]] + " (")
                    + f"{p['value']:.2f}; target {p['op']} {p['bound']:g})"
                    for p in decided))
            if decided and len(decided) < len(row["parts"]):
                missing = [REF_NAMES[p["reference"]] for p in row["parts"] if p["status"] == "n/a"]
                why.append(f"not compared with {' and '.join(missing)} (not measured)")
            if why:
                row["why"] = "; ".join(why)
        if key in ("ka_core_us", "conn_core_us") and row["status"] in ("PASS", "MISS"):
            # the same comparison on the proxy's own CPU time, which the other users of CPU 1 do not inflate
            pk = key.replace("_core_", "_proc_")
            pb = med(pk, "balance")
            peers = {p: med(pk, p) for p in PEERS if med(pk, p)}
            if pb and peers:
                pp = min(peers, key=peers.get)  # the best peer on that figure
                ph = peers[pp]
                alt = "PASS" if pb <= ph else "MISS"
                if alt != row["status"]:
                    row["why"] = (f"{row['status']} on proxy-core time but {alt} on the proxy process's own CPU "
                                  f"({pb:.2f} vs {PEER_NAMES[pp]} {ph:.2f} us, ratio {pb / ph:.2f}): others' load "
                                  f"on CPU {PROXY_CPU} decides it; treat as undecided")
                    row["doubt"] = True
        if key == "show_ms" and b is None and show_failure:
            row["status"] = "n/a"
            row["why"] = "n/a - " + show_failure
        rows.append(row)
    return rows


def fmtv(row, t):
    v = row.get(t)
    return "-" if v is None else row["fmt"].format(v)


def fmt_peer_ratio(row):
    if row["ratio_peer"] is None:
        return "-"
    return f"{row['ratio_peer']:.2f} {PEER_SHORT[row['best_peer']]:<5}"


def table(rows, meta, notes):
    variants = rows[0]["variants"] if rows else []
    head = (["figure", "unit", "direct", "HAProxy", "nginx", "balance", "bal/best peer", "bal/direct", "target",
             "result"] + [x for v in variants for x in (v.replace("balance:", "bal:"), v.split(":", 1)[1] + "/bal")])
    left = {0, 1, 8, 9}
    lines = []
    body = []
    for r in rows:
        if all(r.get(t) is None for t in list(KINDS) + variants) and not r["target"]:
            continue
        res = r["status"] + (" ~" if r["overlap"] else "") + (" ?" if r.get("doubt") else "")
        cells = [r["label"], r["unit"], fmtv(r, "direct"), fmtv(r, "haproxy"), fmtv(r, "nginx"), fmtv(r, "balance"),
                 fmt_peer_ratio(r), "-" if r["ratio_direct"] is None else f"{r['ratio_direct']:.2f}",
                 r["target"], res]
        for v in variants:
            rv = r.get("ratio_" + v)
            cells += [fmtv(r, v), "-" if rv is None else f"{rv:.2f}"]
        body.append(cells)
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]

    def line(cols):
        return "  ".join(c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(cols)).rstrip()
    lines.append(line(head))
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append(line(b))
    lines.append("")
    lines.append(f"medians of {meta['runs']} run(s) per rate figure ({meta['mode']} mode); proxy on CPU {PROXY_CPU}, "
                 f"load and backends on CPU {LOAD_CPU}; best peer = the better of HAProxy and nginx on each figure "
                 f"(named beside the ratio); '~' = the sample ranges overlap (noise could flip it); '?' = see below")
    lines.append(f"kernel {meta.get('kernel', '?')}; JDK: {meta.get('java', '?')}"
                 + (f" ({meta['java_runtime']})" if meta.get("java_runtime") else "")
                 + (f"; {meta['cpu_model']}" if meta.get("cpu_model") else ""))
    lines.append(f"balance: {meta.get('balance_jar')} (git {meta.get('git_head')})"
                 + (f", BALANCE_JVM_OPTS={meta['balance_jvm_opts']}" if meta.get("balance_jvm_opts") else "")
                 + (f"; {meta['haproxy']}" if meta.get("haproxy") else "")
                 + (f"; {meta['nginx']} (stream module)" if meta.get("nginx") and meta.get("nginx_stream_module") else ""))
    for v, env in (meta.get("variants") or {}).items():
        lines.append(f"variant {v} (not part of PASS/MISS; {v.split(':', 1)[1]}/bal = variant / balance): "
                     + " ".join(f"{k}={val}" for k, val in env.items()))
    bg = meta.get("background_busy_pct_before"), meta.get("background_busy_pct_after")
    lines.append(f"background load (others on this machine) before/after: {bg[0]} / {bg[1]}")
    for r in rows:
        if r.get("why"):
            lines.append(f"{r['label']}: {r['why']}")
    if notes:
        lines.append("notes:")
        lines.extend("  - " + n for n in notes)
    return "\n".join(lines)


def write_outputs(outdir, rows, samples, meta, notes):
    variants = rows[0]["variants"] if rows else []
    cols = list(KINDS) + variants
    with open(os.path.join(outdir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "label", "unit", "better", "direct", "haproxy", "nginx", "balance", "best_peer",
                    "ratio_best_peer", "ratio_haproxy", "ratio_nginx", "ratio_direct", "target", "result",
                    "ranges_overlap", "doubt"]
                   + [f"{t}_{m}" for t in cols for m in ("min", "max")] + ["runs"]
                   + [x for v in variants for x in (v, f"ratio_{v}_balance")])
        for r in rows:
            w.writerow([r["metric"], r["label"], r["unit"], r["better"], r["direct"], r["haproxy"], r["nginx"],
                        r["balance"], r["best_peer"], r["ratio_peer"], r["ratio_haproxy"], r["ratio_nginx"],
                        r["ratio_direct"], r["target"], r["status"], r["overlap"], bool(r.get("doubt"))]
                       + [r[f"{t}_{m}"] for t in cols for m in ("min", "max")]
                       + [max(r[t + "_n"] for t in cols)]
                       + [x for v in variants for x in (r[v], r["ratio_" + v])])
    with open(os.path.join(outdir, "samples.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "target", "rep", "value", "core_busy_s", "core_irq_s", "proc_cpu_s", "wall_s", "details"])
        for s in samples:
            extra = {k: v for k, v in s.items() if k not in ("metric", "target", "rep", "value", "core_busy_s",
                                                             "core_irq_s", "proc_cpu_s", "wall_s")}
            w.writerow([s["metric"], s["target"], s["rep"], s["value"], s.get("core_busy_s"), s.get("core_irq_s"),
                        s.get("proc_cpu_s"), s.get("wall_s"), json.dumps(extra) if extra else ""])
    clean = [{k: v for k, v in r.items() if k != "fmt"} for r in rows]
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": clean, "samples": samples, "notes": notes}, f, indent=1)


# ------------------------------------------------------------------------------------------------ chart

CHART_RATIOS = ["bulk1_gbps", "bulk8_gbps", "bulk1r_gbps", "ka_rate", "ka_p50_us", "ka_p99_us", "ka_core_us",
                "conn_rate", "conn_p99_us", "conn_core_us", "mem_kb_1000", "mem_kb_9000", "start_ms"]
CHART_SHORT = {"bulk1_gbps": "bulk 1 stream", "bulk8_gbps": "bulk 8 streams", "bulk1r_gbps": "bulk 1 rev.",
               "ka_rate": "keep-alive rate", "ka_p50_us": "k-a p50", "ka_p99_us": "k-a p99",
               "ka_core_us": "k-a core/req", "conn_rate": "new conn rate", "conn_p99_us": "new conn p99",
               "conn_core_us": "core/conn", "mem_kb_1000": "KB/sess, 1k", "mem_kb_9000": "KB/sess, 9k",
               "start_ms": "start-up", "show_ms": "-c show"}
OPS = {">=": "≥", "<=": "≤", "<": "<", ">": ">"}


def chart(outdir, rows, meta):
    gp = shutil.which("gnuplot")
    if not gp:
        return "gnuplot is not installed: no chart"
    byk = {r["metric"]: r for r in rows}

    def clamp(v, top=64):
        return min(max(v, 1 / 64), top)

    data = os.path.join(outdir, "chart-ratios.dat")
    tgt = os.path.join(outdir, "chart-targets.dat")
    absd = os.path.join(outdir, "chart-absolute.dat")
    n = 0
    with open(data, "w") as f, open(tgt, "w") as g:
        f.write("# x label ratio_best_peer ratio_direct (0 = none) and their labels; bars go from 1 on a log axis\n")
        g.write("# x bound reference(0=best peer,1=direct) label colour\n")
        for i, key in enumerate(CHART_RATIOS):
            r = byk[key]
            arrow = "↑" if r["better"] == "higher" else "↓"
            rp = r["ratio_peer"]
            rd = r["ratio_direct"]
            plab = "" if rp is None else f"{rp:.2f} {PEER_SHORT[r['best_peer']]}"
            # the top panel's axis ends at 32: a larger ratio is drawn to 24 so that its label stays visible
            f.write(f"{i} \"{CHART_SHORT[key]} {arrow}\" {clamp(rp, 24) if rp else 0} {clamp(rd, 24) if rd else 0} "
                    f"\"{plab}\" \"{'' if rd is None else f'{rd:.2f}'}\"\n")
            for p in r["parts"]:
                if p["reference"] is None:
                    continue
                colour = {"PASS": 0x2e9e5b, "MISS": 0xc00000}.get(p["status"], 0x888888)
                g.write(f"{i} {p['bound']} {0 if p['reference'] == 'peer' else 1} "
                        f"\"{p['status']} {OPS[p['op']]}{p['bound']:g}×{p['reference']}\" {colour}\n")
            n += 1
    ab = [("mem_kb_9000", 4.0), ("start_ms", 300.0), ("show_ms", 150.0)]
    with open(absd, "w") as f:
        f.write("# x label balance/limit haproxy/limit nginx/limit and labels, bars from 1 on a log axis "
                "(below 1 = within the limit)\n")
        for i, (key, lim) in enumerate(ab):
            r = byk[key]
            vals = [r["balance"], r["haproxy"], r["nginx"]]
            labs = ["" if v is None else r["fmt"].format(v) + " " + r["unit"] for v in vals]
            f.write(f"{i} \"{CHART_SHORT[key]} (limit {lim:g} {r['unit']})\" "
                    + " ".join(str(clamp(v / lim) if v else 0) for v in vals) + " "
                    + " ".join(f"\"{x}\"" for x in labs) + f" \"{r['status']}\"\n")
    png = os.path.join(outdir, "chart.png")
    script = os.path.join(outdir, "chart.gp")
    title = (f"balance vs the best peer (the better of HAProxy and nginx on each figure) and the direct path - "
             f"medians, {meta['mode']} mode, {meta['date']}, git {meta['git_head']}, kernel {meta.get('kernel')}")
    with open(script, "w") as f:
        f.write(f"""# generated by bench/lib/bench.py; run: gnuplot {os.path.basename(script)}
set terminal pngcairo size 1600,1000 font "DejaVu Sans,10" noenhanced
set output "{png}"
set multiplot layout 2,1 title "{title}" font ",12"
set logscale y 2
set yrange [1/32.:32]
set ytics ("1/32" 1/32., "1/16" 1/16., "1/8" 1/8., "1/4" 0.25, "1/2" 0.5, "1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32)
set grid ytics lc rgb "#dddddd"
set key top left horizontal
set border 3
set xtics nomirror rotate by 0 font ",9"
set ytics nomirror
set size 1,0.62
set origin 0,0.36
set xrange [-0.6:{n - 0.4}]
set title "ratio balance / reference (bars start at 1; ↑ higher is better, ↓ lower is better; red lines = targets, PASS/MISS above)"
set ylabel "balance / reference (log scale)"
plot "{data}" using ($3 > 0 ? $1-0.2 : 1/0):(1):($1-0.38):($1-0.02):(1):($3 > 0 ? $3 : 1/0) with boxxyerror fs solid 0.8 lc rgb "#3b6fb6" title "balance / best peer (named)", \\
     "{data}" using ($4 > 0 ? $1+0.2 : 1/0):(1):($1+0.02):($1+0.38):(1):($4 > 0 ? $4 : 1/0) with boxxyerror fs solid 0.8 lc rgb "#e08a1e" title "balance / direct", \\
     "{data}" using ($1-0.2):($3 > 0 ? $3 : 1/0):5 with labels offset 0,char 0.7 font ",7" notitle, \\
     "{data}" using ($1+0.2):($4 > 0 ? $4 : 1/0):6 with labels offset 0,char 0.7 font ",8" notitle, \\
     "{tgt}" using ($3 == 0 ? $1-0.4 : $1):2:(0.4):(0) with vectors nohead lw 3 lc rgb "#c00000" title "target", \\
     "{tgt}" using 1:($3 == 0 ? 20 : 12):4:5 with labels font ",8" tc rgb variable notitle, \\
     "{data}" using 1:(1/32.):xtic(2) with points pt -1 notitle, \\
     1 with lines lc rgb "#888888" notitle
set size 1,0.34
set origin 0,0.0
unset logscale y
set logscale y 2
set yrange [1/64.:64]
set ytics ("1/64" 1/64., "1/16" 1/16., "1/4" 0.25, "1" 1, "4" 4, "16" 16, "64" 64)
set xrange [-0.6:{len(ab) - 0.4}]
set title "absolute targets: figure / limit (bars start at 1; below 1 = within the limit)"
set ylabel "figure / limit (log scale)"
plot "{absd}" using ($3 > 0 ? $1-0.27 : 1/0):(1):($1-0.4):($1-0.14):(1):($3 > 0 ? $3 : 1/0) with boxxyerror fs solid 0.8 lc rgb "#2e9e5b" title "balance", \\
     "{absd}" using ($4 > 0 ? $1 : 1/0):(1):($1-0.13):($1+0.13):(1):($4 > 0 ? $4 : 1/0) with boxxyerror fs solid 0.8 lc rgb "#3b6fb6" title "HAProxy (for comparison)", \\
     "{absd}" using ($5 > 0 ? $1+0.27 : 1/0):(1):($1+0.14):($1+0.4):(1):($5 > 0 ? $5 : 1/0) with boxxyerror fs solid 0.8 lc rgb "#8a5cb8" title "nginx (for comparison)", \\
     "{absd}" using ($1-0.27):($3 > 0 ? $3 : 1):(stringcolumn(6)." ".stringcolumn(9)) with labels offset 0,char 0.7 font ",8" notitle, \\
     "{absd}" using 1:($4 > 0 ? $4 : 1/0):7 with labels offset 0,char 0.7 font ",8" notitle, \\
     "{absd}" using ($1+0.27):($5 > 0 ? $5 : 1/0):8 with labels offset 0,char 0.7 font ",8" notitle, \\
     "{absd}" using 1:(1/64.):xtic(2) with points pt -1 notitle, \\
     1 with lines dt 2 lw 2 lc rgb "black" title "limit"
unset multiplot
""")
    r = subprocess.run([gp, script], capture_output=True, timeout=60)
    if r.returncode != 0 or not os.path.exists(png):
        return "gnuplot failed: " + r.stderr.decode(errors="replace")[:500]
    return chart_cold(outdir, rows, meta, gp)


COLD_COLOURS = {"haproxy": "#3b6fb6", "nginx": "#8a5cb8", "balance": "#2e9e5b"}
VARIANT_COLOURS = ["#e08a1e", "#c00000", "#17a2b8", "#6b4226"]


def chart_cold(outdir, rows, meta, gp):
    """chart-coldstart.png: per target the medians per window of the cold-start phase (new connections per
    second, new-connection p99, keep-alive p99), the standby's first window as an open marker and each target's
    steady rate (http phase) as a dashed line. None when the phase did not run."""
    byk = {r["metric"]: r for r in rows}
    variants = rows[0]["variants"] if rows else []
    targets = [t for t in ["haproxy", "nginx", "balance"] + variants
               if byk["cold_conn_rate_w0"].get(t) is not None or byk["cold_ka_p99_us_w0"].get(t) is not None]
    if not targets:
        return None
    data = os.path.join(outdir, "chart-coldstart.dat")
    nwin = max(i + 1 for i in range(COLD_MAX_WINDOWS) for t in targets
               if byk[f"cold_conn_rate_w{i}"].get(t) is not None or byk[f"cold_ka_p99_us_w{i}"].get(t) is not None)

    def v(key, t, scale=1.0):
        x = byk[key].get(t) if key in byk else None
        return "-" if x is None else f"{x * scale:.6g}"

    with open(data, "w") as f:
        f.write("# cold start, medians per window: x (window middle, s) label, then per target: new conn/s, new conn "
                "p99 ms, keep-alive p99 ms, standby conn/s (first window only), steady new conn/s (http phase)\n")
        f.write("# targets: " + " ".join(targets) + "\n")
        for i in range(nwin):
            f.write(f"{(i + 0.5) * COLD_WINDOW_S:g} \"{cold_label(i)}\"")
            for t in targets:
                f.write(" " + " ".join([v(f"cold_conn_rate_w{i}", t), v(f"cold_conn_p99_us_w{i}", t, 1e-3),
                                        v(f"cold_ka_p99_us_w{i}", t, 1e-3),
                                        v("cold_standby_rate_w0", t) if i == 0 else "-", v("conn_rate", t)]))
            f.write("\n")
    png = os.path.join(outdir, "chart-coldstart.png")
    script = os.path.join(outdir, "chart-coldstart.gp")
    colour = {t: COLD_COLOURS.get(t) or VARIANT_COLOURS[variants.index(t) % len(VARIANT_COLOURS)] for t in targets}
    name = {"haproxy": "HAProxy", "nginx": "nginx", "balance": "balance"}

    def col(j, k):  # target j's k-th column (1-based over the five)
        return 2 + 5 * j + k

    def plots(k, title_suffix):
        out = []
        for j, t in enumerate(targets):
            out.append(f'"{data}" using 1:{col(j, k)}:xtic(2) with linespoints lw 2 pt 7 lc rgb "{colour[t]}" '
                       f'title "{name.get(t, t.replace("balance:", "bal:"))}{title_suffix}"')
        return out

    rate = plots(1, "")
    for j, t in enumerate(targets):
        rate.append(f'"{data}" using 1:{col(j, 4)} with points pt 6 ps 2 lw 2 lc rgb "{colour[t]}" '
                    f'title "{name.get(t, t.replace("balance:", "bal:"))} standby (idle {meta.get("standby_idle_s", 5):g} s first)"')
        if byk["conn_rate"].get(t) is not None:
            rate.append(f'{byk["conn_rate"][t]:.6g} with lines dt 2 lc rgb "{colour[t]}" '
                        f'title "{name.get(t, t.replace("balance:", "bal:"))} steady (http phase)"')
    samples = max(byk["cold_conn_rate_w0"].get(t + "_n", 0) for t in targets)
    sep = ", \\\n     "  # gnuplot: one plot element per line
    title = (f"cold start: a fresh proxy on CPU {PROXY_CPU}, wrk -t1 -c{meta.get('wrk_connections', '?')} on CPU "
             f"{LOAD_CPU} from its first answer, windows of {COLD_WINDOW_S} s\\nmedians of {samples} sample(s), "
             f"{meta['mode']} mode, {meta['date']}, git {meta['git_head']}")
    with open(script, "w") as f:
        f.write(f"""# generated by bench/lib/bench.py; run: gnuplot {os.path.basename(script)}
set terminal pngcairo size 1200,1100 font "DejaVu Sans,10" noenhanced
set output "{png}"
set datafile missing "-"
set multiplot layout 3,1 title "{title}" font ",11"
set grid ytics lc rgb "#dddddd"
set key outside right top vertical font ",8"
set lmargin at screen 0.07
set rmargin at screen 0.76
set border 3
set xtics nomirror
set ytics nomirror
set xrange [0:{nwin * COLD_WINDOW_S}]
set xlabel "seconds since the first answer through the proxy"
set title "new connections per second (Connection: close); dashed = steady rate, open circle = standby's first window"
set ylabel "conn/s"
set yrange [0:*]
plot {sep.join(rate)}
set logscale y 10
set yrange [*:*]
set title "new connection p99 latency"
set ylabel "ms (log scale)"
plot {sep.join(plots(2, ""))}
set title "keep-alive p99 latency"
plot {sep.join(plots(3, ""))}
unset multiplot
""")
    r = subprocess.run([gp, script], capture_output=True, timeout=60)
    if r.returncode != 0 or not os.path.exists(png):
        return "gnuplot failed on the cold-start chart: " + r.stderr.decode(errors="replace")[:500]
    return None


# ------------------------------------------------------------------------------------------------- main

def parse_variants(specs):
    """--balance-variant NAME=ENV=VALUE[,ENV=VALUE...] -> {"balance:NAME": {ENV: VALUE}}. A comma starts a new
    setting only where NAME=... follows, so values may hold commas (-XX:Flags=a,b) and spaces (JVM options)."""
    out = {}
    for spec in specs:
        name, _, rest = spec.partition("=")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or not rest:
            raise ValueError(f"{spec!r}: expected NAME=ENV=VALUE[,ENV=VALUE...] (NAME of letters, digits, _.-)")
        env = {}
        for setting in re.split(r",(?=[A-Za-z_][A-Za-z0-9_]*=)", rest):
            k, eq, v = setting.partition("=")
            if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                raise ValueError(f"{spec!r}: {setting!r} is not ENV=VALUE")
            env[k] = v
        if "balance:" + name in out:
            raise ValueError(f"variant {name} given twice")
        out["balance:" + name] = env
    return out


def main():
    ap = argparse.ArgumentParser(description="balance benchmark (see docs/BENCH.md)")
    ap.add_argument("--quick", action="store_true", help="short durations, one run each: a smoke test")
    ap.add_argument("--runs", type=int, default=0, help="repetitions of each rate figure (default 3, quick 1)")
    ap.add_argument("--conns", type=int, default=32, help="wrk connections (default 32)")
    ap.add_argument("--phases", default=",".join(PHASES),
                    help="comma-separated subset of " + ",".join(PHASES) + " (http includes -c show)")
    ap.add_argument("--cold-windows", type=int, default=0,
                    help=f"cold start: windows of {COLD_WINDOW_S} s of load from the first answer (default "
                         f"{COLD_MAX_WINDOWS}, quick 2; at most {COLD_MAX_WINDOWS})")
    ap.add_argument("--standby-idle", type=float, default=5.0,
                    help="cold start: seconds a standby sits without traffic before its load (default 5)")
    ap.add_argument("--no-jvm-diagnostics", action="store_true",
                    help="skip the jcmd heap look at balance after the idle-memory figures")
    ap.add_argument("--noise-limit", type=float, default=10.0,
                    help="re-run a measured window when others used more than this %% of a core (default 10)")
    ap.add_argument("--max-reruns", type=int, default=-1,
                    help="re-runs for noise in the whole run (default 4 per target, quick 1 per target; 0 = never)")
    ap.add_argument("--targets", default=",".join(KINDS),
                    help="comma-separated subset of direct,haproxy,nginx,balance (default all), e.g. "
                         "--targets direct,balance for a quick look at balance alone")
    ap.add_argument("--balance-variant", action="append", default=[], metavar="NAME=ENV=VALUE[,ENV=VALUE]",
                    help="also measure balance started with these environment settings as target balance:NAME, "
                         "e.g. nio=BALANCE_JVM_OPTS=-Dbalance.transport=nio or new=BALANCE_JAR=/path/other.jar; "
                         "repeatable; extra columns (NAME/bal = variant / balance), not part of PASS/MISS")
    ap.add_argument("--max-minutes", type=float, default=0,
                    help="hard time budget; later steps are skipped (default 16, plus 4 per variant; with the "
                         "coldstart phase 6 more, plus 2 per variant)")
    ap.add_argument("--out", default=None, help="results directory (default bench/results/<timestamp>)")
    ap.add_argument("--rechart", metavar="DIR", help="only redraw the chart and table from DIR/results.json")
    a = ap.parse_args()

    if a.rechart:
        with open(os.path.join(a.rechart, "results.json")) as f:
            j = json.load(f)
        rows = summarize(j["samples"], j["meta"].get("show_failure"), targets_of(j["samples"], j["meta"]))
        print(table(rows, j["meta"], j["notes"]))
        print(chart(a.rechart, rows, j["meta"]) or f"chart: {os.path.join(a.rechart, 'chart.png')}")
        return 0

    if os.cpu_count() < 2:
        print("bench: needs at least 2 CPUs (proxy on CPU 1, load on CPU 0)", file=sys.stderr)
        return 2
    a.targets = [t.strip() for t in a.targets.split(",") if t.strip()]
    bad = [t for t in a.targets if t not in KINDS]
    if bad:
        print(f"bench: unknown target(s) {', '.join(bad)}: choose from {', '.join(KINDS)}", file=sys.stderr)
        return 2
    try:
        a.variants = parse_variants(a.balance_variant)
    except ValueError as e:
        print(f"bench: --balance-variant: {e}", file=sys.stderr)
        return 2
    bad = [p for p in a.phases.split(",") if p not in PHASES]
    if bad:
        print(f"bench: unknown phase(s) {', '.join(bad)}: choose from {', '.join(PHASES)}", file=sys.stderr)
        return 2
    if not 0 <= a.cold_windows <= COLD_MAX_WINDOWS:
        print(f"bench: --cold-windows: 1 to {COLD_MAX_WINDOWS}", file=sys.stderr)
        return 2
    if not a.max_minutes:
        a.max_minutes = 16.0 + 4.0 * len(a.variants)
        if "coldstart" in a.phases.split(","):
            # per target and sample ~30 s (full mode: 3 fresh processes, 2 x 12 s + 5 s idle + 3 s of load)
            a.max_minutes += 6.0 + 2.0 * len(a.variants)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    outdir = a.out or os.path.join(ROOT, "bench", "results", stamp + ("-quick" if a.quick else ""))
    os.makedirs(outdir, exist_ok=True)
    b = Bench(a, outdir)

    def on_signal(signum, _frame):
        # Ctrl-C reaches the driver twice (SIGINT from the terminal, SIGTERM from bench/run's trap): the first
        # one stops the run, later ones must not interrupt the clean-up (every stop is bounded by timeouts)
        # (a no-op handler, not SIG_IGN: Python raises an error for a signal already pending when it finds SIG_IGN)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: None)
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    t0 = time.monotonic()
    log(f"results in {outdir}")
    interrupted = False
    try:
        b.run()
    except KeyboardInterrupt as e:
        b.procs.stop_all()
        print(f"bench: interrupted ({e}); partial results follow", file=sys.stderr)
        b.note("interrupted: partial results")
        interrupted = True
    except BenchError as e:
        b.procs.stop_all()
        print(f"bench: {e}", file=sys.stderr)
        return 1
    except BaseException:
        b.procs.stop_all()
        raise
    b.meta["elapsed_s"] = round(time.monotonic() - t0, 1)
    rows = summarize(b.samples, b.show_failure, b.targets)
    write_outputs(outdir, rows, b.samples, b.meta, b.notes)
    text = table(rows, b.meta, b.notes)
    with open(os.path.join(outdir, "table.txt"), "w") as f:
        f.write(text + "\n")
    print()
    print(text)
    err = chart(outdir, rows, b.meta)
    if err:
        print("chart: " + err, file=sys.stderr)
    for name in sorted(os.listdir(b.tmp)):  # keep the generated configurations, drop the rest
        if name.endswith((".cfg", ".conf")):
            shutil.copy(os.path.join(b.tmp, name), os.path.join(b.logdir, name))
    shutil.rmtree(b.tmp, ignore_errors=True)
    charts = ",".join(c for c in ("chart.png", "chart-coldstart.png") if os.path.exists(os.path.join(outdir, c)))
    print(f"\nwritten: {outdir}/{{table.txt,summary.csv,samples.csv,results.json,{charts}}} "
          f"({b.meta['elapsed_s']:.0f} s)")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
