"""Shared loopback harness of the side-by-side benchmarks: start Alertmanager and `triage serve`,
drive them with `wrk`, read their CPU time from /proc.

Everything listens on 127.0.0.1 only and every run is bounded in time. Alertmanager is
Debian's `prometheus-alertmanager` (or an `alertmanager` binary on PATH); `wrk` is Debian's.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "agent" / "demo" / "config.yaml"
CORPUS = ROOT / "knowledge" / "corpus"
GROUP_BY = ["alertname", "service"]


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need(*names: str) -> str:
    """The first of `names` on PATH, or exit naming the Debian package to install."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit(f"{names[0]} not found: apt-get install -y "
                     f"{'prometheus-alertmanager' if 'alertmanager' in names[0] else names[0]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks  # utime stime cutime cstime


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    """Poll `url` until it answers 200; exit when the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Server:
    """A started server: its process, base URL and how to stop it."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    home: Path

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.proc.pid

    def stop(self) -> None:
        """Terminate and reap the process."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def alertmanager_config(group_wait: str = "30s", group_interval: str = "5m",
                        repeat_interval: str = "4h", webhook: str | None = None) -> str:
    """An Alertmanager configuration grouping as Triage's demo config does."""
    receiver = "  - name: sink\n"
    if webhook:
        receiver += f"    webhook_configs:\n      - url: {webhook}\n        send_resolved: false\n"
    return (f"route:\n  receiver: sink\n  group_by: [{', '.join(GROUP_BY)}]\n"
            f"  group_wait: {group_wait}\n  group_interval: {group_interval}\n"
            f"  repeat_interval: {repeat_interval}\nreceivers:\n{receiver}")


def start_alertmanager(work: Path, config: str | None = None) -> Server:
    """Alertmanager on a free loopback port with its own storage, clustering off."""
    binary = need("prometheus-alertmanager", "alertmanager")
    work.mkdir(parents=True, exist_ok=True)
    (work / "am.yml").write_text(config or alertmanager_config())
    port = free_port()
    proc = subprocess.Popen(
        [binary, f"--config.file={work / 'am.yml'}", f"--storage.path={work / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
         "--log.level=error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/-/ready", proc)
    return Server("alertmanager", proc, url, work)


def prepare_kb(home: Path) -> None:
    """Ingest the bundled runbooks and postmortems into `home` (the KB users run with)."""
    for kind in ("runbook", "postmortem"):
        subprocess.run([sys.executable, "-m", "agent.cli.main", "--home", str(home), "kb",
                        "ingest", str(CORPUS / f"{kind}s"), "--kind", kind], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_triage(home: Path, token: str, config: Path = DEMO_CONFIG,
                 extra_env: dict[str, str] | None = None, flags: tuple[str, ...] = ()) -> Server:
    """`triage serve` as users run it (KB on, tools, SQLite under --home) on a free port;
    `flags` are added to its command line (`--no-decide`)."""
    port = free_port()
    env = {**os.environ, "TRIAGE_WEBHOOK_TOKEN": token, **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "serve", "--home", str(home), "--config",
         str(config), "--port", str(port), "--log-level", "warning", *flags],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz", proc)
    return Server("triage", proc, url, home)


def new_token() -> str:
    """A random bearer token for one benchmark run."""
    return secrets.token_urlsafe(24)


@dataclass
class WrkResult:
    """What one wrk run reported."""

    requests: int
    seconds: float
    rate: float
    non_2xx: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    cpu_ms_per_request: float

    @property
    def accepted_rate(self) -> float:
        """2xx answers per second."""
        return (self.requests - self.non_2xx) / self.seconds if self.seconds else 0.0


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(script: str, url: str, pid: int, *, seconds: int, connections: int,
            threads: int = 1) -> WrkResult:
    """Run wrk with a Lua `script` against `url`; the server `pid`'s CPU time per request."""
    binary = need("wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        cpu0 = cpu_seconds(pid)
        out = subprocess.run([binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                              "--latency", "-s", f.name, url], capture_output=True, text=True,
                             timeout=seconds + 60).stdout
        cpu = cpu_seconds(pid) - cpu0
    finally:
        os.unlink(f.name)
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if not done:
        raise SystemExit(f"wrk output not understood:\n{out}")
    requests = int(done.group(1))
    secs = float(done.group(2)) * (0.001 if done.group(3) == "ms" else 1)
    lat = {q: _ms(v) for q, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkResult(requests=requests, seconds=secs, rate=requests / secs if secs else 0,
                     non_2xx=int(non.group(1)) if non else 0,
                     errors=sum(int(g) for g in errs.groups()) if errs else 0,
                     p50_ms=lat.get("50", float("nan")), p90_ms=lat.get("90", float("nan")),
                     p99_ms=lat.get("99", float("nan")),
                     cpu_ms_per_request=1000 * cpu / requests if requests else float("nan"))
