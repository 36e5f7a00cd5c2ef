"""Dataset loading: good cases parse; bad lines fail naming the line and the field."""

from __future__ import annotations

import json

import pytest

from evals.dataset import DatasetError, load_dataset

GOOD = {"id": "a", "input": {"format": "slack", "payload": "checkout is down"},
        "expected": {"kind": "incident", "team": None}, "tags": ["slack"]}


def write(tmp_path, *rows):
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_loads_cases_and_carried_fields(tmp_path):
    cases = load_dataset(write(tmp_path, GOOD, "", {**GOOD, "id": "b", "expected": {}}))
    assert [c.id for c in cases] == ["a", "b"]
    assert cases[0].expected.carried() == {"kind": "incident", "team": None}
    assert cases[1].expected.carried() == {}


@pytest.mark.parametrize("row, needle", [
    ("{not json", ":1: not valid JSON"),
    ({**GOOD, "expected": {"kind": "outage"}}, ":1: expected.kind:"),
    ({**GOOD, "input": {"format": "fax", "payload": {}}}, ":1: input.format:"),
    ({**GOOD, "expected": {"severity": "high"}}, ":1: expected.severity: unknown field"),
    ({"id": "x"}, ":1: input: Field required"),
    ([1, 2], ":1: a case must be a JSON object"),
])
def test_bad_line_names_line_and_field(tmp_path, row, needle):
    with pytest.raises(DatasetError) as err:
        load_dataset(write(tmp_path, row))
    assert needle in str(err.value)


def test_duplicate_id_and_empty_and_missing(tmp_path):
    with pytest.raises(DatasetError, match=":2: id: duplicate of line 1"):
        load_dataset(write(tmp_path, GOOD, GOOD))
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DatasetError, match="no cases"):
        load_dataset(tmp_path / "empty.jsonl")
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "missing.jsonl")
