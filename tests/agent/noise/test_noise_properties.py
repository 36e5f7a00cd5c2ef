"""Property: reordering or duplicating deliveries never changes the final set of groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.config.org import OrgConfig
from agent.kernel.db import open_db
from agent.kernel.signal import Signal
from agent.noise.gate import NoiseGate
from agent.noise.keys import dedup_key

T0 = datetime(2026, 12, 1, tzinfo=UTC)
CONFIG = OrgConfig.model_validate({"noise": {"group_window": "20m"}})


@st.composite
def occurrence(draw) -> list[Signal]:
    """An alert firing (and maybe resolving) or a ticket, at a minute in the first few hours."""
    service = draw(st.sampled_from(["shop", "search", None]))
    start = draw(st.integers(0, 240))
    if draw(st.booleans()):
        name = draw(st.sampled_from(["NodeDown", "HighLatency"]))
        host = draw(st.sampled_from(["h1", "h2"]))
        labels = {"alertname": name, "instance": host, **({"service": service} if service else {})}
        fp = f"{name}-{host}-{service}"
        begin = T0 + timedelta(minutes=start)
        out = [Signal(signal_id="", source="alertmanager", fingerprint=fp, labels=labels,
                      service=service, starts_at=begin, timestamp=begin, received_at=begin)]
        if draw(st.booleans()):
            end = begin + timedelta(minutes=draw(st.integers(1, 60)))
            out.append(out[0].model_copy(update={"status": "resolved", "ends_at": end,
                                                 "timestamp": end}))
        return out
    when = T0 + timedelta(minutes=start)
    text = draw(st.sampled_from(["cannot pay", "site slow", "login broken"]))
    return [Signal(signal_id="", source="ticket", fingerprint=f"t-{text}-{service}", title=text,
                   service=service, timestamp=when, received_at=when)]


def final_groups(signals: list[Signal]) -> set[tuple[str, str, frozenset[str]]]:
    """Run the deliveries through a fresh gate; return (group id, status, member keys)."""
    gate = NoiseGate(open_db(":memory:"), CONFIG)
    for i, s in enumerate(signals):
        gate.process(s.model_copy(update={"signal_id": f"d{i}"}))
    keys = {f"d{i}": dedup_key(s) for i, s in enumerate(signals)}
    members: dict[str, set[str]] = {}
    for sid, gid in gate.memberships().items():
        members.setdefault(gid, set()).add(keys[sid])
    return {(gid, gate.group(gid).status, frozenset(m)) for gid, m in members.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(occurrence(), min_size=1, max_size=10), st.randoms(use_true_random=False),
       st.lists(st.integers(0, 100), max_size=8))
def test_reordering_and_duplicating_keep_the_groups(occurrences, rng, extra):
    ordered = sorted((s for occ in occurrences for s in occ),
                     key=lambda s: (s.timestamp, s.status, s.fingerprint))
    deliveries = list(ordered) + [ordered[i % len(ordered)] for i in extra]
    rng.shuffle(deliveries)
    assert final_groups(deliveries) == final_groups(ordered)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(occurrence(), min_size=1, max_size=12), st.randoms(use_true_random=False),
       st.integers(1, 5))
def test_key_group_rows_match_the_members_after_merges(occurrences, rng, batch):
    """The group key → group table holds exactly the members' pairs (known pairs are skipped)."""
    deliveries = [s for occ in occurrences for s in occ]
    rng.shuffle(deliveries)
    gate = NoiseGate(open_db(":memory:"), CONFIG)
    signals = [s.model_copy(update={"signal_id": f"d{i}"}) for i, s in enumerate(deliveries)]
    for i in range(0, len(signals), batch):
        gate.process_batch(signals[i:i + batch])
    rows = set(gate.conn.execute("SELECT gkey, group_id FROM noise_key_groups"))
    assert rows == set(gate.conn.execute("SELECT DISTINCT gkey, group_id FROM noise_members"))
