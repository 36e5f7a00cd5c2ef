"""loghub 2k samples (every system except the held-out BGL) → log event_type and security examples.

Log label (CONTRACTS §1 "unusual is judged against what that source normally emits"): a line
whose template (loghub's EventId) occurs at most RARE times in its system's 2,000-line sample is
`warning`; every other line is `informational`, whatever its level. At most PER_TEMPLATE lines
of a template are kept (labels are counted on the full sample first).
Security label: the line's template is authentication failure, invalid user, break-in attempt or
a refused/failed login (SECURITY_TEMPLATE below, applied to the templates, not to the lines).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator

from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.records import Example

REPO = "logpai/loghub"
SYSTEMS = ("Android", "Apache", "HDFS", "HPC", "Hadoop", "HealthApp", "Linux", "Mac", "OpenSSH",
           "OpenStack", "Proxifier", "Spark", "Thunderbird", "Windows", "Zookeeper")
RARE = 2
PER_TEMPLATE = 12  # lines kept per template: routine templates repeat, rare ones are all kept
SECURITY_TEMPLATE = re.compile(
    r"authentication failure|failed password|invalid user|break-in attempt|illegal user|"
    r"failed none|check pass; user unknown|not allowed because|too many authentication failures|"
    r"maximum authentication attempts|bad protocol version|did not receive identification",
    re.IGNORECASE)


def _rows(mirror: Mirror, system: str) -> list[dict[str, str]]:
    text = mirror.read(f"{system}/{system}_2k.log_structured.csv")
    return list(csv.DictReader(io.StringIO(text)))


def _raw_lines(mirror: Mirror, system: str) -> list[str]:
    return mirror.read(f"{system}/{system}_2k.log").splitlines()


def log_examples(mirror: Mirror) -> Iterator[Example]:
    """One example per line of each system's 2k sample, raw line as the payload."""
    present = set(mirror.paths())
    for system in SYSTEMS:
        if f"{system}/{system}_2k.log_structured.csv" not in present:
            continue
        rows = _rows(mirror, system)
        lines = _raw_lines(mirror, system)
        if len(rows) != len(lines):
            continue
        counts = Counter(r["EventId"] for r in rows)
        kept: Counter[str] = Counter()
        for row, line in zip(rows, lines, strict=True):
            if not line.strip() or kept[row["EventId"]] >= PER_TEMPLATE:
                continue
            kept[row["EventId"]] += 1
            label = "warning" if counts[row["EventId"]] <= RARE else "informational"
            yield Example("log", label, f"{REPO}:{system}", f"{system}:{row['EventId']}", "log",
                          line)
            secure = bool(SECURITY_TEMPLATE.search(row["EventTemplate"]))
            yield Example("security", "security" if secure else "benign", f"{REPO}:{system}",
                          f"{system}:{row['EventId']}", "log", line)
