"""Build the Acme Shop team dataset: cases.jsonl, history.jsonl and rationales.jsonl (seeded).

Run: `python -m evals.datasets.build_team_dataset` (rewrites evals/datasets/team/*.jsonl).
Labels come from applying the CONTRACTS §1 labeling guide to each template, never from running
the triage system; every case gets a one-line rationale in rationales.jsonl.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from evals.datasets.templates import alerts, human, scenarios, security, symptoms, telemetry
from evals.datasets.templates.adversarial_kb import adversarial_kb
from evals.datasets.templates.common import Gen
from evals.datasets.templates.history import history

OUT = Path(__file__).parent / "team"
ADVERSARIAL_KB = Path(__file__).parent / "adversarial-kb"
MAIN = [alerts.alertmanager, alerts.grafana, alerts.pagerduty, telemetry.metric, telemetry.log,
        telemetry.generic, human.tickets, human.slack, scenarios.escalation,
        scenarios.duplicates, scenarios.maintenance, scenarios.inhibition, security.security,
        security.adversarial, symptoms.symptoms]


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, sort_keys=False) + "\n" for r in rows),
                    encoding="utf-8")


def build(out: Path = OUT, seed: int = 20260115) -> tuple[int, int]:
    """Generate both files into `out`; return (main cases, history cases)."""
    out.mkdir(parents=True, exist_ok=True)
    main = Gen(random.Random(seed))
    for template in MAIN:
        template(main)
    past = Gen(random.Random(seed + 1))
    history(past)
    _write(out / "cases.jsonl", main.cases)
    _write(out / "history.jsonl", past.cases)
    _write(out / "rationales.jsonl", main.rationales + past.rationales)
    return len(main.cases), len(past.cases)


def build_adversarial_kb(out: Path = ADVERSARIAL_KB, seed: int = 20260115) -> int:
    """Write the runbook-injection cases (and a copy of the Acme config) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    gen = Gen(random.Random(seed + 2))
    adversarial_kb(gen)
    _write(out / "cases.jsonl", gen.cases)
    _write(out / "rationales.jsonl", gen.rationales)
    (out / "config.yaml").write_text((OUT / "config.yaml").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    return len(gen.cases)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=20260115)
    args = parser.parse_args()
    n_main, n_hist = build(args.out, args.seed)
    n_adv = build_adversarial_kb(seed=args.seed)
    print(f"wrote {n_main} cases and {n_hist} history cases to {args.out}, "  # noqa: T201
          f"{n_adv} runbook-injection cases to {ADVERSARIAL_KB}")


if __name__ == "__main__":
    main()
