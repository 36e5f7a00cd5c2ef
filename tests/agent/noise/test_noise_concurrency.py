"""At-least-once senders: concurrent redeliveries against one file DB yield one original."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from agent.config.org import OrgConfig
from agent.kernel.db import open_db
from agent.noise.gate import NoiseGate

_WORKER = """
import sys
from agent.config.org import OrgConfig
from agent.noise.gate import NoiseGate
from agent.kernel.signal import Signal
from agent.kernel.db import open_db
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


def test_concurrent_workers_end_with_the_same_groups_as_one(tmp_path, sig):
    import random

    from agent.noise.keys import dedup_key

    signals = []
    for i in range(80):
        svc = f"svc{i % 4}"
        signals.append(sig.alert("NodeDown", at=i, service=svc, instance=f"h{i % 5}"))
        if i % 3 == 0:
            signals.append(sig.ticket(f"{svc} down {i}", at=i + 1, service=svc))
    deliveries = [s.model_copy(update={"signal_id": f"d{n}"})
                  for n, s in enumerate(signals + signals[::4])]
    random.Random(5).shuffle(deliveries)

    def partition(gate: NoiseGate, sent) -> set[frozenset[str]]:
        keys = {s.signal_id: dedup_key(s) for s in sent}
        groups: dict[str, set[str]] = {}
        for sid, gid in gate.memberships().items():
            groups.setdefault(gid, set()).add(keys[sid])
        return {frozenset(v) for v in groups.values()}

    alone = NoiseGate(open_db(tmp_path / "alone.db"), OrgConfig())
    for s in deliveries:
        alone.process(s)
    gates = [NoiseGate(open_db(tmp_path / "shared.db"), OrgConfig()) for _ in range(4)]

    def work(k: int) -> None:
        for s in deliveries[k::4]:
            gates[k].process(s)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert partition(gates[0], deliveries) == partition(alone, deliveries)
    assert set(gates[1].memberships().values()) == set(alone.memberships().values())


def test_other_tables_committing_keep_the_member_index(tmp_path, sig):
    """Commits to other tables (the signal store) leave the gate's in-memory index in place."""
    db = tmp_path / "shared.db"
    gate = NoiseGate(open_db(db), OrgConfig())
    other = open_db(db)
    other.execute("CREATE TABLE unrelated (n INTEGER)")
    gate.process(sig.alert("NodeDown", at=0, service="shop", instance="h1"))
    index = gate.state.members.keys
    for i in range(5):
        other.execute("INSERT INTO unrelated VALUES (?)", (i,))
        gate.process(sig.alert("NodeDown", at=i + 1, service="shop", instance=f"h{i + 2}"))
    assert gate.state.members.keys is index and gate.state.complete
    assert len(gate.memberships()) == 6


def test_another_gate_s_members_arrive_as_a_delta(tmp_path, sig):
    """A second gate's commits reach the first gate's index without a full reload."""
    db = tmp_path / "shared.db"
    a, b = NoiseGate(open_db(db), OrgConfig()), NoiseGate(open_db(db), OrgConfig())
    first = a.process(sig.alert("NodeDown", at=0, service="shop", instance="h1"))
    index = a.state.members.keys
    joined = b.process(sig.alert("NodeDown", at=5, service="shop", instance="h2"))
    ticket = a.process(sig.ticket("shop is down", at=6, service="shop"))
    assert a.state.members.keys is index
    assert joined.group_id == first.group_id == ticket.group_id
    assert set(a.state.member_group) == set(a.memberships())
