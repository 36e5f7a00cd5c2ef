"""The container's entry point script, run for real (no Docker engine here: the image itself is
not built in CI), and the Dockerfile/compose properties the deployment guide promises."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "deploy" / "entrypoint.sh"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "SLACK_"))}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return {**env, "TRIAGE_HOME": str(home), **extra}


def _run(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(ENTRY), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_refuses_to_start_open(tmp_path: Path) -> None:
    proc = _run("serve", env=_env(tmp_path))
    assert proc.returncode == 2 and "TRIAGE_WEBHOOK_TOKEN" in proc.stderr


def test_state_folder_must_be_writable(tmp_path: Path) -> None:
    proc = _run("serve", env=_env(tmp_path / "missing", TRIAGE_WEBHOOK_TOKEN="x" * 32))
    assert proc.returncode == 2 and "not a writable folder" in proc.stderr


def test_other_commands_pass_through(tmp_path: Path) -> None:
    proc = _run("--version", env=_env(tmp_path))
    assert proc.returncode == 0 and proc.stdout.startswith("triage ")


def test_serve_then_healthcheck(tmp_path: Path) -> None:
    port = str(_free_port())
    env = _env(tmp_path, TRIAGE_WEBHOOK_TOKEN="entrypoint-token-" + "x" * 20,
               TRIAGE_HOST="127.0.0.1", TRIAGE_PORT=port)
    assert _run("healthcheck", env=env).returncode == 1  # nothing listening yet
    server = subprocess.Popen(["sh", str(ENTRY)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            if _run("healthcheck", env=env, timeout=10).returncode == 0:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the service never became ready")
        assert (tmp_path / "triage.db").is_file()  # state went to TRIAGE_HOME
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_dockerfile_and_compose_promises() -> None:
    docker = (ROOT / "Dockerfile").read_text()
    assert "USER triage" in docker and 'VOLUME ["/data"]' in docker
    assert "HEALTHCHECK" in docker and "triage-entrypoint healthcheck" in docker.replace(
        '["triage-entrypoint", "healthcheck"]', "triage-entrypoint healthcheck")
    assert "--uid 10001" in docker
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert "chroma" in services
    workers = [s for name, s in services.items() if name.startswith("triage-")]
    assert len(workers) >= 2
    for worker in workers:
        assert worker["environment"]["TRIAGE_CHROMA_URL"] == "http://chroma:8000"
        assert "triage-data:/data" in worker["volumes"]
