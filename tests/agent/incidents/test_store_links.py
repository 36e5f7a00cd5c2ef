"""IncidentStore.link_details: one decision's action links by ref prefix, on real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agent.incidents.model import Link
from agent.incidents.store import IncidentStore
from agent.kernel.db import open_db

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_link_details_reads_only_the_prefix_and_kind(tmp_path: Path) -> None:
    store = IncidentStore(open_db(tmp_path / "inc.db"))
    with store.tx():
        for ref, detail in [("sig-1#0:restart", "proposed"), ("sig-1#1:scale", "succeeded"),
                            ("sig-10#0:restart", "proposed"), ("sig-2#0:restart", "refused"),
                            ("sig-1$", "other")]:
            store.add_link("INC-1", Link("action", ref, T0, detail))
        store.add_link("INC-1", Link("decision", "sig-1#0:restart", T0, "alert P2"))
        store.add_link("INC-2", Link("action", "sig-1#0:restart", T0, "failed"))
    assert store.link_details("INC-1", "action", "sig-1#") == {
        "sig-1#0:restart": "proposed", "sig-1#1:scale": "succeeded"}
    assert store.link_details("INC-2", "action", "sig-1#") == {"sig-1#0:restart": "failed"}
    assert store.link_details("INC-1", "action", "sig-3#") == {}
    # the same answer as filtering every link, which is what it replaces
    every = {link.ref: link.detail for link in store.links("INC-1") if link.kind == "action"
             and link.ref.startswith("sig-1#")}
    assert store.link_details("INC-1", "action", "sig-1#") == every
