"""The connections part of scripts/bench: what idle, silent and slow clients cost coaching-local.

Usage: connections_bench.py BASE_URL SERVER_PID COUNT OUT.json [ROUNDS [SETTLE_SECS]]

1. The server's resident memory (VmRSS) before anything.
2. COUNT keep-alive connections, each serving one GET /health and then left open and idle;
   VmRSS with all of them open.
3. All of them closed by the client; VmRSS a second later, and SETTLE_SECS (12) later, when
   the allocator has had time to purge what they used (the goal: back near the start).
   Steps 2 and 3 run ROUNDS (3) times on the same server, so that memory that creeps from
   round to round shows.
4. COUNT silent connections (nothing sent) held open while 200 GET /health on fresh
   connections are timed one after the other; their p50/p99 against the same 200 without the
   silent ones.
Writes the figures as JSON. Plain sockets: this measures the server, not a client library.
"""

import json
import resource
import socket
import statistics
import sys
import time
from urllib.parse import urlsplit


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def connect(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def health_on(s, host, close):
    header = "Connection: close\r\n" if close else ""
    s.sendall(f"GET /health HTTP/1.1\r\nHost: {host}\r\n{header}\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.startswith(b"HTTP/1.1 200")


def timed_health(host, port, n):
    times = []
    for _ in range(n):
        started = time.perf_counter()
        s = connect(host, port)
        ok = health_on(s, host, close=True)
        s.close()
        if not ok:
            raise SystemExit("GET /health failed")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
    }


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    base, pid, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    url = urlsplit(base)
    host, port = url.hostname, url.port
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    settle = float(sys.argv[6]) if len(sys.argv) > 6 else 12.0
    result = {"connections": count, "rss_start_kb": rss_kb(pid), "rounds": []}

    for _ in range(rounds):
        idle = []
        for _ in range(count):
            s = connect(host, port)
            if not health_on(s, host, close=False):
                raise SystemExit("GET /health on a keep-alive connection failed")
            idle.append(s)
        time.sleep(0.5)
        figures = {"rss_idle_open_kb": rss_kb(pid)}
        for s in idle:
            s.close()
        time.sleep(1.0)
        figures["rss_after_close_kb"] = rss_kb(pid)
        time.sleep(max(settle - 1.0, 0.0))
        figures["rss_settled_kb"] = rss_kb(pid)
        result["rounds"].append(figures)
    # The first round's figures, under the names earlier runs used.
    result.update(result["rounds"][0])
    result["rss_final_kb"] = result["rounds"][-1]["rss_settled_kb"]

    result["health_alone"] = timed_health(host, port, 200)
    silent = [connect(host, port) for _ in range(count)]
    time.sleep(0.2)
    result["health_with_silent"] = timed_health(host, port, 200)
    for s in silent:
        s.close()

    with open(out, "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


main()
