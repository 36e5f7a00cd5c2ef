"""The ticket write-back eval harness on a three-row CSV in the dataset's column layout."""

from __future__ import annotations

from pathlib import Path

from evals.tickets.make_jira_cases import case, read_rows
from evals.tickets.writeback_eval import run

HEADER = ('"number","short_description","description","urgency","impact","category",'
          '"assignment_group","resolution"')
ROWS = ['"INC1","Checkout is down","Every card payment fails with error 500 for all '
        'customers.",1,1,"Software","IT Support","x"',
        '"INC2","VPN slow","The VPN is slow for me since this morning but works.",3,3,'
        '"Network","Network Ops","y"',
        '"INC3","Printer jam","The 3rd floor printer is jammed.",3,3,"Hardware","IT Support",'
        '"z"']
CSV = "\n".join([HEADER, *ROWS]) + "\n"


def test_cases_carry_no_labels_in_their_input(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV)
    cases = [case(row, i) for i, row in enumerate(read_rows(path, None))]
    assert [c["expected"]["priority"] for c in cases] == ["P1", "P5", "P5"]
    payload = str(cases[0]["input"]["payload"])
    assert "IT Support" not in payload and "INC1" not in payload


def test_write_back_eval_checks_the_stand_in_fields(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV)
    cases = [case(row, i) for i, row in enumerate(read_rows(path, None))]
    report = run(cases, tmp_path / "home")
    metrics = report["metrics"]
    assert metrics["writeback_fidelity"] == 1.0 and metrics["comments_per_ticket"] == 1.0
    assert metrics["outbox"] == {"done": 6}
    written = {c["ticket"]: c["written"] for c in report["per_case"]}
    assert written["SUP-1"]["issuetype"] == "Incident"  # an outage for every customer
    assert report["dataset"]["licence"] == "MIT"
