"""Benchmark: single-alert posts accepted per second, `triage serve` vs Prometheus Alertmanager.

Run: `.venv/bin/python benchmarks/ingest_vs_alertmanager.py [--seconds 10] [--repeats 3]
[--connections 16] [--rates 200,500] [--split] [--json]` (needs `apt-get install -y
prometheus-alertmanager wrk`).

Both servers run on loopback at the same time and are driven by the same client (wrk, one
thread, the same connection count), interleaved, alternating which goes first in each repeat.
Alertmanager receives what Prometheus sends it (`POST /api/v2/alerts`, one alert); Triage
receives what Alertmanager sends it (`POST /v1/webhooks/alertmanager`, a webhook v4 body with
one alert, a bearer token). Every alert is distinct. Triage runs as users run it: the bundled
knowledge base ingested, the decision worker on, a 202 only once the payload is fsynced
(Alertmanager keeps alerts in memory and snapshots them periodically). Reported per server:
accepted posts/s (2xx), p50/p99 of the answer, server CPU ms per request; then the ratio
Triage / Alertmanager. `--rates` adds paced runs first, on an empty backlog (wrk `delay()`:
each connection waits connections/rate s between posts), to read the p99 at a fixed rate.
`--max-backlog` sets `ingest.max_backlog` (default as shipped, 20,000: later repeats may hit
it and answer 503). `--split` runs Triage as two processes on one --home: `triage serve
--no-decide` takes the posts and a second `triage serve` decides what it stored (the CPU
figure is the ingest process's; the decider works through the backlog on the other core).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import (  # noqa: E402
    DEMO_CONFIG,
    WrkResult,
    new_token,
    prepare_kb,
    run_wrk,
    start_alertmanager,
    start_triage,
)

_COMMON = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
local counter = 0
local tid = 0
local threads = {}
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
%(delay)s
request = function()
  counter = counter + 1
  local k = string.format("%%s-%%d-%%d", "%(run)s", tid or 0, counter)
  return wrk.format(nil, nil, nil, string.format(%(body)s, k, k, k))
end
"""
AM_BODY = ("'[{\"labels\":{\"alertname\":\"HighCPU\",\"severity\":\"critical\","
           "\"service\":\"svc-%s\",\"instance\":\"i-%s\"},\"annotations\":{\"summary\":"
           "\"CPU at 97%% on %s\"},\"startsAt\":\"2026-12-01T08:00:00Z\","
           "\"generatorURL\":\"http://prometheus:9090/graph\"}]'")
TRIAGE_BODY = ("'{\"version\":\"4\",\"groupKey\":\"{}:{alertname=HighCPU}\","
               "\"truncatedAlerts\":0,\"status\":\"firing\",\"receiver\":\"triage\","
               "\"groupLabels\":{\"alertname\":\"HighCPU\"},\"commonLabels\":{},"
               "\"commonAnnotations\":{},\"externalURL\":\"http://alertmanager:9093\","
               "\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighCPU\","
               "\"severity\":\"critical\",\"service\":\"svc-%s\",\"instance\":\"i-%s\"},"
               "\"annotations\":{\"summary\":\"CPU at 97%%\"},"
               "\"startsAt\":\"2026-12-01T08:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
               "\"generatorURL\":\"http://prometheus:9090/graph\",\"fingerprint\":\"fp%s\"}]}'")


def script(body: str, run: str, token: str | None = None, connections: int = 16,
           rate: float = 0.0) -> str:
    """The wrk Lua script: distinct single-alert bodies, optional auth and pacing."""
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    delay = (f"delay = function() return {1000.0 * connections / rate:.3f} end"
             if rate > 0 else "")
    return _COMMON % {"auth": auth, "delay": delay, "run": run, "body": body}


def _row(name: str, r: WrkResult) -> dict[str, float | int | str]:
    return {"server": name, "accepted_per_s": round(r.accepted_rate, 1),
            "requests": r.requests, "non_2xx": r.non_2xx, "socket_errors": r.errors,
            "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
            "cpu_ms_per_request": round(r.cpu_ms_per_request, 3)}


def main() -> None:
    """Run the interleaved comparison and print a table, ratios and (with --json) JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rates", default="200,500",
                        help="comma-separated paced rates (posts/s) for p99 runs; '' for none")
    parser.add_argument("--max-backlog", type=int, default=20_000,
                        help="ingest.max_backlog (raise it to measure capacity, not shedding)")
    parser.add_argument("--split", action="store_true",
                        help="an ingest-only triage process plus a deciding one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    token = new_token()
    runs: list[dict[str, float | int | str]] = []
    with tempfile.TemporaryDirectory(prefix="triage-ingest-bench-") as tmp:
        home = Path(tmp) / "triage"
        prepare_kb(home)
        am = start_alertmanager(Path(tmp) / "am")
        config = Path(tmp) / "config.yaml"
        config.write_text(DEMO_CONFIG.read_text()
                          + f"\ningest: {{max_backlog: {args.max_backlog}}}\n")
        triage = start_triage(home, token, config,
                              flags=("--no-decide",) if args.split else ())
        decider = start_triage(home, token, config) if args.split else None
        try:
            targets = {
                "alertmanager": (am, f"{am.url}/api/v2/alerts", AM_BODY, None),
                "triage": (triage, f"{triage.url}/v1/webhooks/alertmanager", TRIAGE_BODY,
                           token)}
            for rate in [float(r) for r in args.rates.split(",") if r.strip()]:
                for name in ("alertmanager", "triage"):
                    server, url, body, auth = targets[name]
                    result = run_wrk(script(body, f"p{rate:g}", auth, args.connections, rate),
                                     url, server.pid, seconds=args.seconds,
                                     connections=args.connections)
                    runs.append({"phase": f"paced {rate:g}/s", "repeat": 0, **_row(name, result)})
            for rep in range(args.repeats):
                order = ["alertmanager", "triage"] if rep % 2 == 0 else ["triage", "alertmanager"]
                for name in order:
                    server, url, body, auth = targets[name]
                    result = run_wrk(script(body, f"r{rep}", auth, args.connections), url,
                                     server.pid, seconds=args.seconds,
                                     connections=args.connections)
                    runs.append({"phase": "max", "repeat": rep, **_row(name, result)})
        finally:
            triage.stop()
            if decider is not None:
                decider.stop()
            am.stop()
    summary = summarize(runs)
    if args.json:
        print(json.dumps({"runs": runs, "summary": summary}))
        return
    for run in runs:
        print(f"{run['phase']:>14} r{run['repeat']} {run['server']:>12}: "
              f"{run['accepted_per_s']:>9} posts/s  p50 {run['p50_ms']:>7} ms  "
              f"p99 {run['p99_ms']:>8} ms  cpu {run['cpu_ms_per_request']} ms/req  "
              f"non-2xx {run['non_2xx']}")
    for key, value in summary.items():
        print(f"{key:>36}: {value}")


def summarize(runs: list[dict[str, float | int | str]]) -> dict[str, float]:
    """Medians over repeats and the Triage / Alertmanager ratios."""
    def med(server: str, field: str, phase: str = "max") -> float:
        values = [float(r[field]) for r in runs if r["server"] == server and r["phase"] == phase]
        return statistics.median(values) if values else float("nan")

    out = {
        "alertmanager_posts_per_s_median": med("alertmanager", "accepted_per_s"),
        "triage_posts_per_s_median": med("triage", "accepted_per_s"),
        "alertmanager_p99_ms_median": med("alertmanager", "p99_ms"),
        "triage_p99_ms_median": med("triage", "p99_ms"),
        "alertmanager_cpu_ms_per_request": med("alertmanager", "cpu_ms_per_request"),
        "triage_cpu_ms_per_request": med("triage", "cpu_ms_per_request"),
    }
    out["ratio_posts_per_s_triage_vs_alertmanager"] = round(
        out["triage_posts_per_s_median"] / out["alertmanager_posts_per_s_median"], 3)
    out["ratio_cpu_per_request_triage_vs_alertmanager"] = round(
        out["triage_cpu_ms_per_request"] / out["alertmanager_cpu_ms_per_request"], 2)
    for phase in sorted({str(r["phase"]) for r in runs} - {"max"}):
        out[f"alertmanager_p99_ms_{phase.replace(' ', '_')}"] = med("alertmanager", "p99_ms", phase)
        out[f"triage_p99_ms_{phase.replace(' ', '_')}"] = med("triage", "p99_ms", phase)
    return out


if __name__ == "__main__":
    main()
