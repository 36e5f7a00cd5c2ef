"""Turning files into catalog records and chunks: ids, hashes, kinds, names and chunk text."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.lexical import DocRecord, split_identifier
from knowledge.markdown import (
    Chunk,
    as_list,
    chunk_document,
    detect_kind,
    parse_actions,
    parse_markdown,
    parse_text,
)

SUFFIXES = {".md", ".markdown", ".txt", ".text"}
KINDS = ("runbook", "postmortem", "auto")
INDEX_STEMS = {"_index", "index"}


log = logging.getLogger(__name__)

@dataclass
class IngestReport:
    """What one ingest run did, by document id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    chunks: int = 0

    def summary(self) -> str:
        """One line for the CLI."""
        return (f"added {len(self.added)}, updated {len(self.updated)}, skipped "
                f"{len(self.skipped)}, pruned {len(self.pruned)}, errors {len(self.errors)}, "
                f"chunks {self.chunks}")


@dataclass
class BuiltDoc:
    """A parsed file ready to store: its catalog record, chunks and lexical name field."""

    record: DocRecord
    chunks: list[Chunk]
    names: str
    body: str


def discover(path: Path) -> tuple[Path, list[Path]]:
    """(root the ids are relative to, files to ingest) for a folder or a single file."""
    path = path.resolve()
    if path.is_file():
        return path.parent, [path]
    if not path.is_dir():
        raise FileNotFoundError(f"no such file or folder: {path}")
    files = [p for p in sorted(path.rglob("*"))
             if p.is_file() and p.suffix.lower() in SUFFIXES
             and not any(part.startswith(".") for part in p.relative_to(path).parts)
             and _inside(p, path)]
    return path, files


def _inside(file: Path, root: Path) -> bool:
    """False for a file (or symlink) that resolves outside the ingested folder."""
    try:
        file.resolve().relative_to(root)
    except (ValueError, OSError):
        log.warning("skipped: resolves outside the ingested folder", extra={"file": str(file)})
        return False
    return True


def namespaced_id(root: Path, doc_id: str) -> str:
    """The id of a document whose plain id belongs to another folder: `<folder>/<id>`."""
    return f"{root.name or 'root'}/{doc_id}"


def doc_id_for(root: Path, file: Path) -> str:
    """CONTRACTS §2 id: the path relative to the ingested folder with '/' separators."""
    return file.relative_to(root).as_posix()


def content_hash(data: bytes, kind: str) -> str:
    """Hash of the file bytes and the requested kind (a changed --kind re-ingests)."""
    return hashlib.sha256(data + b"\0" + kind.encode()).hexdigest()


def build_doc(root: Path, file: Path, data: bytes, kind: str, digest: str,
              doc_id: str | None = None) -> BuiltDoc:
    """Parse a file into a record with metadata (names, alerts, actions) and section chunks."""
    doc_id = doc_id or doc_id_for(root, file)
    text = data.decode("utf-8", errors="replace")
    stem = file.stem
    is_markdown = file.suffix.lower() in {".md", ".markdown"}
    parsed = (parse_markdown if is_markdown else parse_text)(text, stem)
    front = parsed.front
    resolved = kind if kind != "auto" else detect_kind(front, parsed.headings, doc_id)
    folders = doc_id.split("/")[:-1]
    stem_words = " ".join(split_identifier(stem.replace("-", " ").replace("_", " ")))
    alerts = as_list(front.get("alerts"))
    services = as_list(front.get("services"))
    meta: dict[str, Any] = {
        "title": parsed.title, "stem": stem, "folders": folders,
        "h1": parsed.headings[0] if parsed.headings else "",
        "alerts": alerts, "services": services, "actions": parse_actions(front.get("actions")),
        "tags": as_list(front.get("tags")), "is_index": stem.lower() in INDEX_STEMS,
        "headings": parsed.headings[:20],
    }
    for key in ("team", "severity", "owner"):
        if isinstance(front.get(key), str | int):
            meta[key] = str(front[key])
    if isinstance(front.get("verify"), dict):  # follow-up check after a remediation
        meta["verify"] = {str(k): v for k, v in front["verify"].items()
                          if isinstance(v, str | int | float | bool)}
    location = " / ".join([*folders, stem])
    prefix = f"{location} ({stem_words})" if stem_words.lower() != stem.lower() else location
    chunks = chunk_document(parsed, prefix)
    names = " ".join([" ".join(folders), stem, stem_words, parsed.title, meta["h1"],
                      " ".join(alerts), " ".join(services), " ".join(meta["tags"])])
    body = "\n".join(c.text for c in chunks)
    record = DocRecord(doc_id=doc_id, kind=resolved, title=parsed.title, root=str(root),
                       content_hash=digest, n_chunks=len(chunks), meta=meta)
    return BuiltDoc(record=record, chunks=chunks, names=names, body=body)
