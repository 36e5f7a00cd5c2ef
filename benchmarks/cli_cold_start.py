"""CLI cold start: `triage run` on one alert in a fresh process, against `python -c pass`.

Each round runs, interleaved: the floor (`python -c pass`), the bare import of the CLI, and
`triage run` on one Alertmanager alert of the team dataset with (a) a fresh, empty home (no
knowledge base yet) and (b) a home whose knowledge base holds the bundled runbooks (built once
before the rounds, so Chroma and the embedder have to load). Wall time, CPU time (user + sys of
the child) and peak RSS are read from the child's rusage; medians over the rounds are printed
with the ratio to the floor measured in the same run. Bytecode is written on the first run
(as `pip install` leaves an installed package), so later rounds measure a warm disk cache and
compiled modules, as a user's second command would.

    .venv/bin/python benchmarks/cli_cold_start.py --rounds 7
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEAM_CASES = ROOT / "evals" / "datasets" / "team" / "cases.jsonl"
BIN = Path(sys.executable).parent


def child_env() -> dict[str, str]:
    """The environment of every child: no bytecode suppression, no tracing, offline."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONDONTWRITEBYTECODE", "TRIAGE_HOME", "TRIAGE_CONFIG"}
           and not k.startswith("OTEL_")}
    env["TRIAGE_REASONER"] = "offline"
    return env


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one child process; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def one_alert(folder: Path) -> Path:
    """The first Alertmanager payload of the team dataset, written to a file."""
    for line in TEAM_CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["input"]["format"] == "alertmanager":
            path = folder / "alert.json"
            path.write_text(json.dumps(case["input"]["payload"]), encoding="utf-8")
            return path
    raise SystemExit("no alertmanager case in the team dataset")


def main() -> None:
    """Interleave the commands for --rounds rounds and print medians and floor ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--target", type=float, default=1.0, help="seconds wall for run")
    args = parser.parse_args()
    env = child_env()
    work = Path(tempfile.mkdtemp(prefix="triage-cold-"))
    alert = one_alert(work)
    triage = str(BIN / "triage")
    kb_home = work / "kb-home"
    subprocess.run([triage, "--home", str(kb_home), "kb", "ingest",
                    str(ROOT / "knowledge" / "corpus" / "runbooks")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    commands = {
        "floor: python -c pass": lambda i: [sys.executable, "-c", "pass"],
        "import agent.cli.main": lambda i: [sys.executable, "-c", "import agent.cli.main"],
        "triage run, empty home": lambda i: [triage, "--home", str(work / f"empty-{i}"),
                                             "run", str(alert)],
        "triage run, bundled KB": lambda i: [triage, "--home", str(kb_home), "run", str(alert)],
    }
    for cmd in commands.values():  # warm-up: writes bytecode, fills the disk cache
        measure(cmd(-1), env)
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for i in range(args.rounds):
        for name, cmd in commands.items():
            results[name].append(measure(cmd(i), env))
    floor_wall = statistics.median(w for w, _, _ in results["floor: python -c pass"])
    floor_cpu = statistics.median(c for _, c, _ in results["floor: python -c pass"])
    print(f"{args.rounds} rounds, medians (load average {os.getloadavg()[0]:.1f}, "
          f"{os.cpu_count()} cpus)")
    for name, rows in results.items():
        wall = statistics.median(w for w, _, _ in rows)
        cpu = statistics.median(c for _, c, _ in rows)
        rss = statistics.median(r for _, _, r in rows)
        print(f"  {name:24s} wall {wall:6.3f} s (x{wall / floor_wall:5.1f} floor)  "
              f"cpu {cpu:6.3f} s (x{cpu / max(floor_cpu, 1e-3):5.1f})  rss {rss:5.0f} MB")
    for name in ("triage run, empty home", "triage run, bundled KB"):
        wall = statistics.median(w for w, _, _ in results[name])
        print(f"  target {name} <= {args.target:.1f} s wall: "
              f"{'PASS' if wall <= args.target else 'FAIL'}")


if __name__ == "__main__":
    main()
