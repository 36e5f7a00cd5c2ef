"""Write-back of learnings: quarantined with provenance, retrievable only after human review.

A learning (symptom, decision, fix, runbook, links) is submitted to a quarantine collection that
search never reads. `approve` promotes it to the main index as a `learning` document; `reject`
and `rollback` take it out again. Nothing from raw alert text reaches retrieval unreviewed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agent.kernel.redact import redact
from knowledge.ingest import BuiltDoc
from knowledge.lexical import DocRecord
from knowledge.markdown import Chunk
from knowledge.vectors import QUARANTINE, VectorIndex

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_learnings (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, symptom TEXT NOT NULL, decision TEXT NOT NULL,
  fix TEXT NOT NULL, runbook TEXT, links TEXT NOT NULL, signal_ids TEXT NOT NULL,
  author TEXT NOT NULL, created_at TEXT NOT NULL, content_hash TEXT NOT NULL,
  flags TEXT NOT NULL, reviewer TEXT, reviewed_at TEXT, note TEXT);
"""
STATUSES = ("quarantined", "approved", "rejected", "rolled_back")
KINDS = ("learning", "postmortem")  # a postmortem's `fix` holds its Markdown body
# phrases that try to steer an agent rather than describe an incident
_INJECTION = [
    (re.compile(r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules|prompts?|policy)\b",
                re.I | re.S), "instruction override"),
    (re.compile(r"\b(system prompt|you are now|act as|new instructions)\b", re.I), "role change"),
    (re.compile(r"\b(restart|delete|drop|wipe|shut ?down)\b.{0,20}\ball\b", re.I),
     "mass destructive action"),
    (re.compile(r"rm\s+-rf|curl[^|\n]*\|\s*(ba)?sh|base64\s+-d", re.I), "shell payload"),
]


class ReviewError(ValueError):
    """A review action that is not allowed (unknown id, wrong state, flagged without force)."""


@dataclass
class Learning:
    """A learning record with its provenance and review state."""

    symptom: str
    decision: str
    fix: str
    runbook: str | None = None
    links: list[str] = field(default_factory=list)
    signal_ids: list[str] = field(default_factory=list)
    author: str = "unknown"
    id: str = ""
    status: str = "quarantined"
    created_at: str = ""
    content_hash: str = ""
    flags: list[str] = field(default_factory=list)
    reviewer: str | None = None
    reviewed_at: str | None = None
    note: str | None = None
    kind: str = "learning"

    @property
    def incident(self) -> str | None:
        """The incident a postmortem draft was written for (`incident:<id>` link)."""
        return next((x.split(":", 1)[1] for x in self.links if x.startswith("incident:")), None)

    def text(self) -> str:
        """The text indexed once approved (and embedded in quarantine for reviewers)."""
        if self.kind == "postmortem":
            return self.fix
        lines = [f"Learning: {self.symptom}", f"Decision: {self.decision}", f"Fix: {self.fix}"]
        if self.runbook:
            lines.append(f"Runbook: {self.runbook}")
        lines += [f"Link: {link}" for link in self.links]
        return "\n".join(lines)


def injection_flags(text: str) -> list[str]:
    """Reasons the text looks like an instruction to an agent (shown to reviewers)."""
    return [reason for pattern, reason in _INJECTION if pattern.search(text)]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LearningStore:
    """Quarantine, review, promotion and rollback of learnings for one KnowledgeBase."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.conn = kb.lexical.conn
        with kb.lexical.lock:
            self.conn.executescript(_SCHEMA)
            columns = {r[1] for r in self.conn.execute("PRAGMA table_info(kb_learnings)")}
            if "kind" not in columns:  # databases written before postmortem drafts
                self.conn.execute("ALTER TABLE kb_learnings ADD COLUMN kind TEXT NOT NULL "
                                  "DEFAULT 'learning'")
        self.quarantine = VectorIndex(kb.client, QUARANTINE, kb.embedder.model_id)

    def submit(self, learning: Learning, now: str | None = None) -> Learning:
        """Quarantine a learning (same content twice returns the stored record).

        Secrets and tokens in the free text are redacted before anything is stored.
        """
        learning.symptom, learning.decision, learning.fix = (
            redact(learning.symptom), redact(learning.decision), redact(learning.fix))
        learning.links = [redact(link) for link in learning.links]
        if learning.kind not in KINDS:
            raise ReviewError(f"kind must be one of {', '.join(KINDS)}")
        parts = [learning.symptom, learning.decision, learning.fix, learning.runbook,
                 learning.links, sorted(learning.signal_ids)]
        body = json.dumps(parts + ([learning.kind] if learning.kind != "learning" else []))
        digest = hashlib.sha256(body.encode()).hexdigest()
        prefix = "PM" if learning.kind == "postmortem" else "L"
        existing = self.get(f"{prefix}-{digest[:12]}")
        if existing:
            return existing
        learning.id, learning.content_hash = f"{prefix}-{digest[:12]}", digest
        learning.status, learning.created_at = "quarantined", now or _now()
        learning.flags = injection_flags(learning.text())
        with self.kb.lexical.lock:
            self.conn.execute(
                "INSERT INTO kb_learnings (id, status, symptom, decision, fix, runbook, links, "
                "signal_ids, author, created_at, content_hash, flags, reviewer, reviewed_at, "
                "note, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (learning.id, learning.status, learning.symptom, learning.decision, learning.fix,
                 learning.runbook, json.dumps(learning.links), json.dumps(learning.signal_ids),
                 learning.author, learning.created_at, digest, json.dumps(learning.flags),
                 None, None, None, learning.kind))
        vector = self.kb.embedder.embed([learning.text()])
        self.quarantine.add([learning.id], vector, [learning.text()],
                            [{"status": "quarantined", "author": learning.author}])
        return learning

    def get(self, learning_id: str) -> Learning | None:
        """One learning by id."""
        rows = self.kb.lexical.rows("SELECT * FROM kb_learnings WHERE id = ?", (learning_id,))
        return _from_row(rows[0]) if rows else None

    def list(self, status: str | None = "quarantined") -> list[Learning]:
        """Learnings in a state (None: all), oldest first."""
        sql, params = "SELECT * FROM kb_learnings", ()
        if status:
            sql, params = sql + " WHERE status = ?", (status,)
        return [_from_row(r) for r in self.kb.lexical.rows(sql + " ORDER BY created_at, id",
                                                              params)]

    def approve(self, learning_id: str, reviewer: str, force: bool = False) -> Learning:
        """Promote a quarantined learning to retrieval; flagged items need `force`."""
        learning = self._require(learning_id, ("quarantined",))
        if learning.flags and not force:
            raise ReviewError(f"{learning_id} is flagged ({', '.join(learning.flags)}); "
                              "edit and resubmit, or approve with force")
        learning.reviewer = reviewer  # provenance in the indexed document
        doc = _as_doc(learning)
        self.kb.store_built(doc, self.kb.embedder.embed([c.text for c in doc.chunks]))
        self.kb.refresh_snapshot()
        self.quarantine.delete_ids([learning_id])
        return self._set(learning, "approved", reviewer, None)

    def reject(self, learning_id: str, reviewer: str, note: str | None = None) -> Learning:
        """Reject a quarantined learning; it never becomes retrievable."""
        learning = self._require(learning_id, ("quarantined",))
        self.quarantine.delete_ids([learning_id])
        return self._set(learning, "rejected", reviewer, note)

    def rollback(self, learning_id: str, reviewer: str, note: str | None = None) -> Learning:
        """Withdraw a learning in any live state: approved ones leave the index."""
        learning = self._require(learning_id, ("quarantined", "approved"))
        if self.kb.delete_doc(doc_id_of(learning)):
            self.kb.refresh_snapshot()
        self.quarantine.delete_ids([learning_id])
        return self._set(learning, "rolled_back", reviewer, note)

    def _require(self, learning_id: str, states: tuple[str, ...]) -> Learning:
        learning = self.get(learning_id)
        if learning is None:
            raise ReviewError(f"no learning {learning_id!r}")
        if learning.status not in states:
            raise ReviewError(f"{learning_id} is {learning.status}, expected "
                              f"{' or '.join(states)}")
        return learning

    def _set(self, learning: Learning, status: str, reviewer: str, note: str | None) -> Learning:
        learning.status, learning.reviewer = status, reviewer
        learning.reviewed_at, learning.note = _now(), note
        with self.kb.lexical.lock:
            self.conn.execute(
                "UPDATE kb_learnings SET status=?, reviewer=?, reviewed_at=?, note=? WHERE id=?",
                (status, reviewer, learning.reviewed_at, note, learning.id))
        return learning


def doc_id_for(learning_id: str) -> str:
    """The document id an approved learning is retrievable under."""
    return f"learnings/{learning_id}"


def doc_id_of(learning: Learning) -> str:
    """Where an approved learning or postmortem is retrievable."""
    if learning.kind == "postmortem":
        return f"postmortems/incidents/{learning.incident or learning.id}.md"
    return doc_id_for(learning.id)


def _postmortem_doc(learning: Learning) -> BuiltDoc:
    from knowledge.markdown import chunk_document, parse_markdown

    doc_id = doc_id_of(learning)
    parsed = parse_markdown(learning.fix, learning.symptom)
    chunks = chunk_document(parsed, doc_id.removesuffix(".md"))
    meta: dict[str, Any] = {
        "title": parsed.title or learning.symptom, "stem": doc_id.rsplit("/", 1)[-1][:-3],
        "folders": ["postmortems", "incidents"], "h1": parsed.headings[0] if parsed.headings
        else "", "alerts": [], "services": [str(s) for s in parsed.front.get("services") or []],
        "actions": [], "tags": ["postmortem", "reviewed"], "is_index": False,
        "headings": parsed.headings[:20], "runbook": learning.runbook,
        "signal_ids": learning.signal_ids, "incident": learning.incident,
        "author": learning.author, "reviewer": learning.reviewer, "learning_id": learning.id,
    }
    record = DocRecord(doc_id=doc_id, kind="postmortem", title=meta["title"],
                       root="postmortems", content_hash=learning.content_hash,
                       n_chunks=len(chunks), meta=meta)
    body = "\n".join(c.text for c in chunks)
    return BuiltDoc(record=record, chunks=chunks, names=meta["title"], body=body)


def _as_doc(learning: Learning) -> BuiltDoc:
    if learning.kind == "postmortem":
        return _postmortem_doc(learning)
    doc_id = doc_id_for(learning.id)
    title = f"Learning: {learning.symptom[:120]}"
    meta: dict[str, Any] = {
        "title": title, "stem": learning.id, "folders": ["learnings"], "h1": title,
        "alerts": [], "services": [], "actions": [], "tags": ["learning"], "is_index": False,
        "headings": [], "runbook": learning.runbook, "signal_ids": learning.signal_ids,
        "author": learning.author, "reviewer": learning.reviewer,
    }
    text = learning.text()
    record = DocRecord(doc_id=doc_id, kind="learning", title=title, root="learnings",
                       content_hash=learning.content_hash, n_chunks=1, meta=meta)
    return BuiltDoc(record=record, chunks=[Chunk(0, title, text)], names=title, body=text)


def _from_row(row: Any) -> Learning:
    return Learning(
        symptom=row["symptom"], decision=row["decision"], fix=row["fix"], runbook=row["runbook"],
        links=json.loads(row["links"]), signal_ids=json.loads(row["signal_ids"]),
        author=row["author"], id=row["id"], status=row["status"], created_at=row["created_at"],
        content_hash=row["content_hash"], flags=json.loads(row["flags"]),
        reviewer=row["reviewer"], reviewed_at=row["reviewed_at"], note=row["note"],
        kind=row["kind"])  # the column is added on open for older databases
