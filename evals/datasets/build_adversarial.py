"""Build the security adversarial suite: evals/datasets/adversarial/{cases,rationales}.jsonl.

Run: `python -m evals.datasets.build_adversarial` (seeded, deterministic). The suite runs with
`config.yaml` beside it (the Acme catalog plus a `targets` inventory of loopback endpoints), so
listed targets exist and every hostile one can be told apart. See `make eval-adversarial`.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from evals.datasets.templates.adversarial_sec import TEMPLATES
from evals.datasets.templates.common import Gen

OUT = Path(__file__).parent / "adversarial"


def build(out: Path = OUT, seed: int = 20261203) -> int:
    """Write the cases and their rationales into `out`; return how many cases."""
    out.mkdir(parents=True, exist_ok=True)
    gen = Gen(random.Random(seed))
    for template in TEMPLATES:
        template(gen)
    for name, rows in (("cases.jsonl", gen.cases), ("rationales.jsonl", gen.rationales)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return len(gen.cases)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    print(f"wrote {build(args.out, args.seed)} cases to {args.out}")  # noqa: T201


if __name__ == "__main__":
    main()
