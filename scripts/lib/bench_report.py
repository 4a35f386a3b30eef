"""scripts/bench's report: reads the JSON each part left in the work directory, prints the
table, the figures and the goals, and writes bench-results/bench-<stamp>.json and latest.json.

Usage: bench_report.py WORK_DIR RESULTS_DIR STAMP COMMIT CORES CONCURRENCY GET_SECS BOOK_COUNT
       LOADGEN_THREADS MEMORY_SESSIONS "PART ..."
"""

import json
import os
import sys

(work, results_dir, stamp, commit, cores, conc, secs, count, threads, memory_sessions,
 parts) = sys.argv[1:]
MB = 1024.0


def load(name):
    """The last JSON line of WORK_DIR/NAME.json, or None."""
    try:
        with open(os.path.join(work, name + ".json")) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


LOADGEN_RUNS = ("health", "get_session", "book", "webhook", "stats_seed", "stats",
                "analytics", "ics_seed", "ics", "memory_book", "slots", "slots_16",
                "health_alone", "health_with_slots", "outbound_base", "outbound_book",
                "outbound_down")
runs = {name: load(name) for name in LOADGEN_RUNS + ("generation", "mixed")}
runs = {name: r for name, r in runs.items() if r is not None}
memory = {name: load(name) for name in ("core_memory", "mixed_memory", "memory_start", "memory")}
analytics_seed = load("analytics_seed")
db = load("memory_db")
connections = load("connections")
outbound_receive = load("outbound_receive")


def rps(name):
    r = runs.get(name)
    return r["rps"] if r else 0.0


def mb(kb):
    return round(kb / MB, 1)


ratio = rps("get_session") / rps("health") if rps("health") else None
core_rss = (memory.get("core_memory") or {}).get("VmHWM_kb", 0)
result = {
    "time": stamp,
    "commit": commit,
    "cores": int(cores),
    "parts": parts.split(),
    "concurrency": int(conc),
    "get_seconds": int(secs),
    "book_count": int(count),
    "loadgen_threads": int(threads),
    "server_peak_rss_mb": mb(core_rss),
    "runs": runs,
    "memory": {name: m for name, m in memory.items() if m},
    "get_session_over_health_rps": round(ratio, 3) if ratio is not None else None,
}
if analytics_seed:
    result["analytics_seed"] = analytics_seed
if outbound_receive:
    result["outbound_receive"] = outbound_receive
if db:
    result["memory_db_bytes"] = db["db_bytes"]
os.makedirs(results_dir, exist_ok=True)
for path in (os.path.join(results_dir, f"bench-{stamp}.json"),
             os.path.join(results_dir, "latest.json")):
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

cols = ("requests", "ok", "errors", "seconds", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms")
table = [name for name in LOADGEN_RUNS if name in runs]
if table:
    print()
    print(f"{'run':<12}" + "".join(f"{c:>11}" for c in cols))
for name in table:
    r = runs[name]
    print(f"{name:<12}" + "".join(f"{r[c]:>11}" for c in cols))
    bad = {s: n for s, n in r.get("statuses", {}).items() if not s.startswith("2")}
    if bad or r.get("transport_errors"):
        print(f"{'':<12}  non-2xx: {bad}, no response: {r.get('transport_errors', 0)}")

gen = runs.get("generation")
if gen:
    print()
    print(f"generation  {gen['criteria']} criteria x {gen['scores_per_criterion']} scores, "
          f"builtin; 202 -> succeeded over {gen['latency_runs']} runs ({gen['latency_ok']} ok): "
          f"p50 {gen['p50_ms']} p90 {gen['p90_ms']} p99 {gen['p99_ms']} max {gen['max_ms']} ms "
          f"(202 p50 {gen['accept_p50_ms']} ms, {gen['polls_per_run']} polls/run)")
    print(f"{'':<12}drain {gen['drain']} at {gen['drain_concurrency']} connections: "
          f"{gen['drain_per_s']}/s ({gen['drain_ok']} ok in {gen['drain_seconds']} s, last 202 "
          f"after {gen['drain_post_seconds']} s, 202 p50 {gen['drain_accept_p50_ms']} ms)")
    if gen["failed"] or gen["unfinished"] or gen["http_errors"]:
        print(f"{'':<12}failed {gen['failed']}, unfinished {gen['unfinished']}, "
              f"http errors {gen['http_errors']}: {gen['problems']}")

if analytics_seed:
    print()
    print(f"analytics   {analytics_seed['completed']} completed sessions seeded "
          f"({analytics_seed['sessions']} in all), {analytics_seed['sessions_in_range']} in the "
          f"month; answer = reference {analytics_seed['expected']}")

mix = runs.get("mixed")
if mix:
    print()
    print(f"mixed       {mix['requests']} requests in {mix['seconds']} s ({mix['rps']}/s) at "
          f"{mix['concurrency']} connections: p50 {mix['p50_ms']} p99 {mix['p99_ms']} "
          f"p99.9 {mix['p999_ms']} max {mix['max_ms']} ms; {mix['errors']} errors, "
          f"{mix['conflicts']} conflicts")
    for kind, k in mix["kinds"].items():
        print(f"{'':<12}{kind:<11} {k['requests']:>8} requests, p50 {k['p50_ms']} p99 "
              f"{k['p99_ms']} p99.9 {k['p999_ms']} ms, statuses {k['statuses']}"
              + (f", no response {k['transport_errors']}: {k['first_error']}"
                 if k["transport_errors"] else ""))

if runs.get("slots"):
    s16, alone, loaded = runs.get("slots_16"), runs.get("health_alone"), runs.get("health_with_slots")
    print()
    print(f"slots       62 days of a full calendar: p50 {runs['slots']['p50_ms']} p99 "
          f"{runs['slots']['p99_ms']} ms over one connection"
          + (f"; at 16 connections {s16['rps']}/s, p99 {s16['p99_ms']} ms" if s16 else ""))
    if alone and loaded:
        print(f"            GET /health p99 alone {alone['p99_ms']} ms, while 16 slots requests "
              f"run {loaded['p99_ms']} ms")
if connections:
    result["connections"] = connections
    c = connections
    print()
    print(f"connections {c['connections']} idle keep-alive: VmRSS {mb(c['rss_start_kb'])} MB at "
          f"start, {mb(c['rss_idle_open_kb'])} MB with them open, {mb(c['rss_after_close_kb'])} MB "
          f"a second after they closed; GET /health p99 {c['health_alone']['p99_ms']} ms, with "
          f"{c['connections']} silent connections open {c['health_with_silent']['p99_ms']} ms")
    for i, r in enumerate(c.get("rounds", []), 1):
        print(f"            round {i}: open {mb(r['rss_idle_open_kb'])} MB, 1 s after closing "
              f"{mb(r['rss_after_close_kb'])} MB, settled {mb(r['rss_settled_kb'])} MB")

mem = memory.get("memory")
if mem:
    start = memory.get("memory_start") or {}
    print()
    print(f"memory      after {runs.get('memory_book', {}).get('ok', '?')} of {memory_sessions} "
          f"bookings: VmRSS {mb(mem['VmRSS_kb'])} MB (anon {mb(mem['RssAnon_kb'])}, file "
          f"{mb(mem['RssFile_kb'])}), VmHWM {mb(mem['VmHWM_kb'])} MB; at start VmRSS "
          f"{mb(start.get('VmRSS_kb', 0))} MB; database file {round((db or {}).get('db_bytes', 0) / MB / MB, 1)} MB")

goals = (
    ("webhook", "ok_rps", ">=", 1000.0, "webhook ok_rps >= 1000.0"),
    ("stats", "p99_ms", "<=", 50.0, "stats p99_ms <= 50.0"),
    ("generation", "p50_ms", "<=", 50.0, "generation 202 -> succeeded p50 <= 50 ms"),
    ("generation", "drain_per_s", ">=", 50.0, "generation drain >= 50/s"),
    ("analytics", "p99_ms", "<=", 20.0, "analytics (20,000 sessions, one month) p99 <= 20 ms"),
    ("ics", "p99_ms", "<=", 20.0, "ics feed (500 sessions) p99 <= 20 ms"),
    ("slots", "p99_ms", "<=", 5.0, "slots (62 days, 300 sessions) p99 <= 5 ms"),
    ("mixed", "errors", "<=", 0, "mixed 80/15/5 errors = 0"),
)
print()
if os.environ.get("BENCH_SMOKE") == "1":
    print("smoke run (scripts/bench --smoke): debug build, tiny sizes; the goals below mean nothing")
for name, key, op, goal, label in goals:
    r = runs.get(name)
    if r:
        met = r[key] >= goal if op == ">=" else r[key] <= goal
        print(f"goal {label}: {r[key]} ({'ok' if met else 'MISSED'})")
base, fan, down = (runs.get(n) for n in ("outbound_base", "outbound_book", "outbound_down"))
got = outbound_receive
if base and fan and got:
    print(f"goal outbound: every delivery arrived: {got['received']} of {got['expected']} "
          f"({'ok' if got['received'] >= got['expected'] else 'MISSED'})")
    print(f"goal outbound commit -> receiver p50 <= 100 ms: {got['p50_ms']} ms "
          f"({'ok' if got['p50_ms'] <= 100 else 'MISSED'}); p99 <= 1 s: {got['p99_ms']} ms "
          f"({'ok' if got['p99_ms'] <= 1000 else 'MISSED'})")
    fan_ratio = fan["ok_rps"] / base["ok_rps"] if base["ok_rps"] else 0.0
    print(f"goal bookings with 5 endpoints >= 0.8x without: {fan['ok_rps']}/s against "
          f"{base['ok_rps']}/s = {fan_ratio:.2f} ({'ok' if fan_ratio >= 0.8 else 'MISSED'})")
if base and down:
    print(f"bookings with 5 endpoints down: p99 {down['p99_ms']} ms against {base['p99_ms']} ms "
          f"without endpoints; {down['ok_rps']}/s against {base['ok_rps']}/s")
alone, loaded = runs.get("health_alone"), runs.get("health_with_slots")
if alone and loaded:
    bound = max(2 * alone["p99_ms"], alone["p99_ms"] + 1.0)
    print(f"goal GET /health p99 while 16 slots requests run <= max(2x, +1 ms) of alone: "
          f"{loaded['p99_ms']} ms against {alone['p99_ms']} ms "
          f"({'ok' if loaded['p99_ms'] <= bound else 'MISSED'})")
if connections:
    settled = [r["rss_settled_kb"] for r in connections.get("rounds", [])] or [
        connections["rss_after_close_kb"]]
    back = max(settled) - connections["rss_start_kb"]
    print(f"goal memory settled after {connections['connections']} idle connections closed, "
          f"every round, within 10 MB of the start: +{mb(back)} MB "
          f"({'ok' if back <= 10 * 1024 else 'MISSED'})")
if mem:
    hwm = mb(mem["VmHWM_kb"])
    print(f"goal memory after {memory_sessions} sessions VmHWM <= 100 MB: {hwm} MB "
          f"({'ok' if hwm <= 100 else 'MISSED'})")
for name, want in (("book", int(count)), ("memory_book", int(memory_sessions))):
    r = runs.get(name)
    if r and r["ok"] != want:
        print(f"\nWARNING: {r['ok']} of {want} bookings ({name}) returned 201 "
              f"(statuses {r.get('statuses')})")
print()
if ratio is not None:
    print(f"GET /v1/sessions/{{id}} rps / GET /health rps = {ratio:.3f}")
if core_rss:
    print(f"core server peak RSS: {result['server_peak_rss_mb']} MB")
print(f"{cores} cores; parts: {parts}")
print(f"saved {os.path.join(results_dir, f'bench-{stamp}.json')}")
