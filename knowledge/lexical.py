"""The lexical side of hybrid retrieval: SQLite FTS5 (BM25) over chunks, documents and cases.

It is also the catalog of ingested documents (hash, kind, names) used for skip/replace/prune.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_docs (
  doc_id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, root TEXT NOT NULL,
  content_hash TEXT NOT NULL, n_chunks INTEGER NOT NULL, meta TEXT NOT NULL,
  ingested_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kb_chunks (
  id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL,
  heading TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kb_chunks_doc ON kb_chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_chunks_fts USING fts5(
  chunk_id UNINDEXED, doc_id UNINDEXED, kind UNINDEXED, names, heading, body,
  tokenize='porter unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS kb_docs_fts USING fts5(
  doc_id UNINDEXED, kind UNINDEXED, names, body, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS kb_cases (
  case_id TEXT PRIMARY KEY, text TEXT NOT NULL, labels TEXT NOT NULL,
  signal_labels TEXT NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_cases_fts USING fts5(
  case_id UNINDEXED, text, tokenize='porter unicode61');
"""
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_WORD = re.compile(r"[a-z0-9]+")
_STOP_TEXT = (
    "a an the and or of to in on for is are was were be been has have had it its this that "
    "with as at by from not no but if then than so do does did can could will would should "
    "may might there their they them which who what when where how all any some more most "
    "over under into out up down only also very per via")
STOPWORDS = frozenset(_STOP_TEXT.split())
MAX_QUERY_TERMS = 48


def split_identifier(token: str) -> list[str]:
    """Split camelCase / PascalCase identifiers: 'KubePodCrashLooping' -> kube pod crash looping."""
    return [p.lower() for p in _CAMEL.findall(token)]


def expand_identifiers(text: str) -> str:
    """Append the camelCase parts of identifiers so 'etcdNoLeader' also matches 'leader'."""
    extra: list[str] = []
    for token in _IDENT.findall(text):
        parts = split_identifier(token)
        if len(parts) > 1:
            extra.append(" ".join(parts))
    return f"{text}\n{' '.join(extra)}" if extra else text


def query_terms(text: str) -> list[str]:
    """Distinct non-stopword tokens of the (identifier-expanded) text, in order."""
    seen: dict[str, None] = {}
    for token in _WORD.findall(expand_identifiers(text).lower()):
        if token not in STOPWORDS and len(token) > 1:
            seen.setdefault(token, None)
    return list(seen)[:MAX_QUERY_TERMS]


def match_expression(text: str) -> str | None:
    """An FTS5 MATCH expression OR-ing the quoted query tokens (None when nothing remains)."""
    terms = query_terms(text)
    return " OR ".join(f'"{t}"' for t in terms) if terms else None


@dataclass
class DocRecord:
    """A catalog row for one ingested document."""

    doc_id: str
    kind: str
    title: str
    root: str
    content_hash: str
    n_chunks: int
    meta: dict[str, Any]


class LexicalIndex:
    """FTS5 tables in one SQLite database (a file under --home, or in memory)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = threading.RLock()
        with self.lock:
            conn.executescript(_SCHEMA)

    def rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a read under the lock (the connection is shared across threads)."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    # --- documents -------------------------------------------------------------------------
    def get_doc(self, doc_id: str) -> DocRecord | None:
        """The catalog row of a document, or None."""
        rows = self.rows("SELECT * FROM kb_docs WHERE doc_id = ?", (doc_id,))
        return _record(rows[0]) if rows else None

    def all_docs(self) -> list[DocRecord]:
        """Every catalogued document."""
        return [_record(r) for r in self.rows("SELECT * FROM kb_docs ORDER BY doc_id")]

    def doc_stamps(self) -> list[tuple[str, str, int]]:
        """(doc id, content hash, chunk count) of every catalogued document."""
        return [(r[0], r[1], int(r[2])) for r in self.rows(
            "SELECT doc_id, content_hash, n_chunks FROM kb_docs ORDER BY doc_id")]

    def docs_under(self, root: str) -> list[str]:
        """Ids of documents ingested from the folder `root`."""
        return [r[0] for r in self.rows("SELECT doc_id FROM kb_docs WHERE root = ?", (root,))]

    def put_doc(self, record: DocRecord, chunks: Iterable[tuple[str, str, str]], names: str,
                body: str, now: str) -> None:
        """Replace a document's catalog row and its chunk/document FTS rows in one transaction."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self._delete_doc(record.doc_id)
                cursor = self.conn.execute(
                    "INSERT INTO kb_docs VALUES (?,?,?,?,?,?,?,?)",
                    (record.doc_id, record.kind, record.title, record.root, record.content_hash,
                     record.n_chunks, json.dumps(record.meta), now))
                self.conn.execute("INSERT INTO kb_docs_fts(rowid, doc_id, kind, names, body) "
                                  "VALUES (?,?,?,?,?)", (cursor.lastrowid, record.doc_id,
                                                         record.kind, names,
                                                         expand_identifiers(body)))
                for cid, heading, text in chunks:
                    cursor = self.conn.execute(
                        "INSERT INTO kb_chunks(chunk_id, doc_id, heading, body) VALUES (?,?,?,?)",
                        (cid, record.doc_id, heading, text))
                    self.conn.execute(
                        "INSERT INTO kb_chunks_fts(rowid, chunk_id, doc_id, kind, names, heading, "
                        "body) VALUES (?,?,?,?,?,?,?)",
                        (cursor.lastrowid, cid, record.doc_id, record.kind, names,
                         expand_identifiers(heading), expand_identifiers(text)))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def delete_doc(self, doc_id: str) -> None:
        """Remove a document and its FTS rows."""
        with self.lock:
            self._delete_doc(doc_id)

    def _delete_doc(self, doc_id: str) -> None:
        # FTS rows share rowids with their catalog rows: delete by rowid, never by scanning
        self.conn.execute("DELETE FROM kb_chunks_fts WHERE rowid IN "
                          "(SELECT id FROM kb_chunks WHERE doc_id = ?)", (doc_id,))
        self.conn.execute("DELETE FROM kb_docs_fts WHERE rowid IN "
                          "(SELECT rowid FROM kb_docs WHERE doc_id = ?)", (doc_id,))
        self.conn.execute("DELETE FROM kb_chunks WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM kb_docs WHERE doc_id = ?", (doc_id,))

    def search_chunks(self, text: str, limit: int,
                      kinds: tuple[str, ...] | None) -> list[tuple[str, str, float]]:
        """BM25 over chunks (names field weighted highest): [(chunk_id, doc_id, score)]."""
        expr = match_expression(text)
        if expr is None:
            return []
        sql = ("SELECT chunk_id, doc_id, -bm25(kb_chunks_fts, 0, 0, 0, 4.0, 2.0, 1.0) AS s, kind "
               "FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ?")
        return self._ranked(sql, expr, limit, kinds)

    def search_docs(self, text: str, limit: int,
                    kinds: tuple[str, ...] | None) -> list[tuple[str, str, float]]:
        """BM25 over whole documents: [(doc_id, doc_id, score)]."""
        expr = match_expression(text)
        if expr is None:
            return []
        sql = ("SELECT doc_id, doc_id, -bm25(kb_docs_fts, 0, 0, 3.0, 1.0) AS s, kind "
               "FROM kb_docs_fts WHERE kb_docs_fts MATCH ?")
        return self._ranked(sql, expr, limit, kinds)

    def search_names(self, text: str, limit: int,
                     kinds: tuple[str, ...] | None) -> list[tuple[str, str, float]]:
        """BM25 over the name field only (folders, stem, title, alerts): [(doc_id, doc_id, s)]."""
        expr = match_expression(text)
        if expr is None:
            return []
        sql = ("SELECT doc_id, doc_id, -bm25(kb_docs_fts, 0, 0, 1.0, 0) AS s, kind "
               "FROM kb_docs_fts WHERE kb_docs_fts MATCH ?")
        return self._ranked(sql, f"{{names}} : ({expr})", limit, kinds)

    def _ranked(self, sql: str, expr: str, limit: int,
                kinds: tuple[str, ...] | None) -> list[tuple[str, str, float]]:
        """Top rows by BM25. The kind filter runs on the top rows only (filtering every match
        on an unindexed column costs more than the ranking); too few left: filter in SQL."""
        with self.lock:
            rows = self.conn.execute(f"{sql} ORDER BY s DESC LIMIT ?",
                                     (expr, limit * 3 if kinds else limit)).fetchall()
            if kinds:
                kept = [r for r in rows if r[3] in kinds]
                if len(kept) < limit // 4 and len(rows) == limit * 3:
                    marks = ",".join("?" * len(kinds))
                    kept = self.conn.execute(
                        f"{sql} AND kind IN ({marks}) ORDER BY s DESC LIMIT ?",
                        (expr, *kinds, limit)).fetchall()
                rows = kept
        return [(r[0], r[1], float(r[2])) for r in rows[:limit]]

    def chunk_texts(self, chunk_ids: list[str]) -> dict[str, tuple[str, str]]:
        """Heading and body of the given chunks."""
        if not chunk_ids:
            return {}
        rows = self.rows(
            f"SELECT chunk_id, heading, body FROM kb_chunks WHERE chunk_id IN "
            f"({','.join('?' * len(chunk_ids))})", chunk_ids)
        return {r[0]: (r[1], r[2]) for r in rows}

    def counts(self) -> dict[str, int]:
        """Documents per kind, chunks and cases."""
        out = {f"docs_{r[0]}": r[1] for r in self.rows(
            "SELECT kind, COUNT(*) FROM kb_docs GROUP BY kind")}
        out["chunks"] = self.rows("SELECT COUNT(*) FROM kb_chunks")[0][0]
        out["cases"] = self.rows("SELECT COUNT(*) FROM kb_cases")[0][0]
        return out

    # --- cases -----------------------------------------------------------------------------
    def put_cases(self, cases: list[tuple[str, str, dict[str, Any], dict[str, str]]],
                  origin: str, now: str) -> None:
        """Insert or replace labeled past cases (id, text, labels, signal labels) in one go."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for case_id, text, labels, signal_labels in cases:
                    # case_id is not indexed in the FTS table: scan it only for a stored case
                    # (a replacement), never for a new one (ingest stays linear)
                    if self.conn.execute("DELETE FROM kb_cases WHERE case_id = ?",
                                         (case_id,)).rowcount:
                        self.conn.execute("DELETE FROM kb_cases_fts WHERE case_id = ?",
                                          (case_id,))
                    self.conn.execute("INSERT INTO kb_cases VALUES (?,?,?,?,?,?)",
                                      (case_id, text, json.dumps(labels),
                                       json.dumps(signal_labels), origin, now))
                    self.conn.execute("INSERT INTO kb_cases_fts VALUES (?,?)",
                                      (case_id, expand_identifiers(text)))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def has_cases(self) -> bool:
        """True when at least one past case is stored."""
        return bool(self.rows("SELECT EXISTS (SELECT 1 FROM kb_cases)")[0][0])

    def search_cases(self, text: str, limit: int) -> list[tuple[str, float]]:
        """BM25 over case texts: [(case_id, score)]."""
        expr = match_expression(text)
        if expr is None:
            return []
        with self.lock:
            rows = self.conn.execute(
                "SELECT case_id, -bm25(kb_cases_fts) AS s FROM kb_cases_fts "
                "WHERE kb_cases_fts MATCH ? ORDER BY s DESC LIMIT ?", (expr, limit))
            return [(r[0], float(r[1])) for r in rows]

    def case_labels_in_order(self, label: str) -> list[tuple[str, str | None]]:
        """(case id, value of `label` in its expected labels) for every case, oldest first."""
        rows = self.rows("SELECT case_id, json_extract(labels, '$.' || ?) FROM kb_cases "
                         "ORDER BY rowid", (label,))
        return [(r[0], None if r[1] is None else str(r[1])) for r in rows]

    def get_cases(self, case_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Stored cases by id: text, labels, signal_labels."""
        if not case_ids:
            return {}
        rows = self.rows(
            f"SELECT * FROM kb_cases WHERE case_id IN ({','.join('?' * len(case_ids))})",
            case_ids)
        return {r["case_id"]: {"text": r["text"], "labels": json.loads(r["labels"]),
                               "signal_labels": json.loads(r["signal_labels"])} for r in rows}


def _record(row: sqlite3.Row) -> DocRecord:
    return DocRecord(row["doc_id"], row["kind"], row["title"], row["root"], row["content_hash"],
                     row["n_chunks"], json.loads(row["meta"]))
