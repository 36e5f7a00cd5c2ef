"""At-least-once senders: concurrent redeliveries against one file DB yield one original."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from agent.config.org import OrgConfig
from agent.noise.gate import NoiseGate
from agent.store.db import open_db

_WORKER = """
import sys
from agent.config.org import OrgConfig
from agent.noise.gate import NoiseGate
from agent.signals.model import Signal
from agent.store.db import open_db
gate = NoiseGate(open_db(sys.argv[1]), OrgConfig())
signal = Signal.model_validate_json(sys.argv[2]).model_copy(update={"signal_id": sys.argv[3]})
sys.stdin.readline()  # start together
out = gate.process(signal)
print(out.duplicate_of or "ORIGINAL", out.group_id)
"""


def test_threads_delivering_the_same_payload_five_times(tmp_path, sig):
    db = tmp_path / "shared.db"
    base = sig.alert("NodeDown", service="shop", instance="h1")
    gates = [NoiseGate(open_db(db), OrgConfig()) for _ in range(5)]
    barrier, results = threading.Barrier(5), []

    def deliver(i: int) -> None:
        barrier.wait()
        results.append(gates[i].process(base.model_copy(update={"signal_id": f"d{i}"})))

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    originals = [r for r in results if r.duplicate_of is None]
    assert len(results) == 5 and len(originals) == 1
    assert {r.group_id for r in results} == {originals[0].group_id}
    assert len({r.duplicate_of for r in results if r.duplicate_of}) == 1
    assert len(gates[0].memberships()) == 1


@pytest.mark.slow
def test_processes_delivering_the_same_payload_five_times(tmp_path, sig):
    db = str(tmp_path / "shared.db")
    NoiseGate(open_db(db), OrgConfig())  # create the tables once
    body = sig.alert("NodeDown", service="shop", instance="h1").model_dump_json()
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, db, body, f"p{i}"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for i in range(5)]
    outs = [p.communicate("go\n", timeout=60)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(1 for o in outs if o[0] == "ORIGINAL") == 1
    assert len({o[1] for o in outs}) == 1


def test_two_workers_alternating_on_one_file_agree_with_one_worker(tmp_path, sig):
    """The in-memory cache is dropped when another connection wrote (PRAGMA data_version)."""
    signals = []
    for i in range(120):
        svc = f"svc{i % 3}"
        signals.append(sig.alert("NodeDown", at=i // 2, service=svc, instance=f"h{i % 7}"))
        if i % 4 == 0:
            signals.append(sig.alert("NodeDown", at=i // 2 + 3, start=i // 2, status="resolved",
                                     service=svc, instance=f"h{i % 7}"))
        if i % 10 == 0:
            signals.append(sig.ticket(f"{svc} broken {i}", at=i // 2 + 1, service=svc))
    alone = NoiseGate(open_db(tmp_path / "alone.db"), OrgConfig())
    expected = [alone.process(s) for s in signals]
    a = NoiseGate(open_db(tmp_path / "shared.db"), OrgConfig())
    b = NoiseGate(open_db(tmp_path / "shared.db"), OrgConfig())
    got = []
    for n, s in enumerate(signals):  # alternate in blocks: some short, some past EAGER_AFTER
        worker = a if (n // (3 if n < 60 else 25)) % 2 == 0 else b
        got.append(worker.process(s))
    assert got == expected
    assert b.memberships() == alone.memberships()
    assert [g.group_id for g in b.open_groups()] == [g.group_id for g in alone.open_groups()]
