"""Elastic detection-rules (TOML) → security examples (every production rule is a detection).

Each rule becomes a generic JSON notification: title = rule name, message = description,
severity removed. Label: `security` (the rule exists to detect hostile activity).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.records import Example

REPO = "elastic/detection-rules"


def security_examples(mirror: Mirror) -> Iterator[Example]:
    """Every non-deprecated rule under rules/ (building-block rules included)."""
    for path in mirror.paths():
        if not (path.startswith("rules") and path.endswith(".toml")) or "_deprecated" in path:
            continue
        try:
            doc = tomllib.loads(mirror.read(path))
        except tomllib.TOMLDecodeError:
            continue
        if doc.get("metadata", {}).get("maturity") == "deprecated":
            continue
        rule = doc.get("rule", {})
        name, description = rule.get("name"), rule.get("description")
        if not name or not description:
            continue
        area = path.split("/")[1] if path.count("/") >= 2 else "rules"
        payload = {"title": name, "message": " ".join(str(description).split())}
        yield Example("security", "security", f"{REPO}:{area}", f"elastic:{area}", "generic",
                      payload)
