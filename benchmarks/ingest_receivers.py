"""Benchmark: one ingest-only `triage serve` against two of them on the same --home.

Run: `.venv/bin/python benchmarks/ingest_receivers.py [--seconds 10] [--repeats 3]
[--connections 16]` (needs `apt-get install -y wrk`).

Both configurations run `triage serve --no-decide` as users run it (the bundled knowledge base
ingested, a 202 only once the payload is fsynced, `ingest.max_backlog` raised so nothing is
shed) on one --home. Interleaved per repeat: `one` drives a single process with all the
connections; `two` drives two processes at the same time with half the connections each (two
wrk clients, as a load balancer in front of two receivers would). Every alert is distinct.
Printed per repeat: accepted posts/s (summed for `two`), the worse p99, non-2xx answers; then
the median ratio two / one. It answers whether a second receiver on the same SQLite file adds
capacity (both take turns at the one write lock, across processes by SQLite's busy handler).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_vs_alertmanager import TRIAGE_BODY, script  # noqa: E402
from loopback import (  # noqa: E402
    DEMO_CONFIG,
    Server,
    WrkResult,
    new_token,
    prepare_kb,
    run_wrk,
    start_triage,
)


def drive(servers: list[Server], token: str, run: str, connections: int,
          seconds: int) -> tuple[float, float, int]:
    """(accepted posts/s summed, worst p99 ms, non-2xx) of `servers` driven at the same time."""
    results: dict[int, WrkResult] = {}

    def one(i: int, server: Server) -> None:
        results[i] = run_wrk(script(TRIAGE_BODY, f"{run}-{i}", token, connections),
                             f"{server.url}/v1/webhooks/alertmanager", server.pid,
                             seconds=seconds, connections=connections)

    threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(servers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rs = list(results.values())
    return (sum(r.accepted_rate for r in rs), max(r.p99_ms for r in rs),
            sum(r.non_2xx for r in rs))


def main() -> None:
    """Run one and two receivers interleaved and print each repeat and the median ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    token = new_token()
    rates: dict[str, list[float]] = {"one": [], "two": []}
    with tempfile.TemporaryDirectory(prefix="triage-receivers-bench-") as tmp:
        home = Path(tmp) / "triage"
        prepare_kb(home)
        config = Path(tmp) / "config.yaml"
        config.write_text(DEMO_CONFIG.read_text() + "\ningest: {max_backlog: 10000000}\n")
        servers = [start_triage(home, token, config, flags=("--no-decide",)) for _ in range(2)]
        try:
            for rep in range(args.repeats):
                order = ["one", "two"] if rep % 2 == 0 else ["two", "one"]
                for name in order:
                    group = servers[:1] if name == "one" else servers
                    rate, p99, non = drive(group, token, f"{name}{rep}",
                                           args.connections // len(group), args.seconds)
                    rates[name].append(rate)
                    print(f"r{rep} {name}: {rate:8.0f} posts/s  p99 {p99:7.1f} ms  "
                          f"non-2xx {non}", flush=True)
        finally:
            for s in servers:
                s.stop()
    one, two = statistics.median(rates["one"]), statistics.median(rates["two"])
    print(f"median: one {one:.0f} posts/s, two {two:.0f} posts/s, two / one {two / one:.2f}")


if __name__ == "__main__":
    main()
