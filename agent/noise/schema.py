"""SQLite tables of the noise gate (created in the shared database, all prefixed `noise_`)."""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS noise_dedup (
  key TEXT PRIMARY KEY, signal_id TEXT NOT NULL, ts REAL NOT NULL, group_id TEXT NOT NULL,
  suppressed_by TEXT, flags INTEGER NOT NULL, anomaly TEXT, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS noise_members (
  signal_id TEXT PRIMARY KEY, group_id TEXT NOT NULL, gkey TEXT NOT NULL, service TEXT,
  keyed INTEGER NOT NULL, anchor REAL NOT NULL, ts REAL NOT NULL, fingerprint TEXT NOT NULL,
  status TEXT NOT NULL, entry TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS noise_members_seq ON noise_members(seq);
CREATE INDEX IF NOT EXISTS noise_members_group ON noise_members(group_id);
CREATE TABLE IF NOT EXISTS noise_key_groups (
  gkey TEXT NOT NULL, group_id TEXT NOT NULL, PRIMARY KEY (gkey, group_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS noise_key_groups_group ON noise_key_groups(group_id);
CREATE TABLE IF NOT EXISTS noise_service_keys (
  service TEXT NOT NULL, gkey TEXT NOT NULL, PRIMARY KEY (service, gkey)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS noise_groups (
  group_id TEXT PRIMARY KEY, gkey TEXT NOT NULL, service TEXT, first_anchor REAL NOT NULL,
  last_ts REAL NOT NULL, kind TEXT NOT NULL DEFAULT 'event', priority TEXT,
  last_notify REAL, n_alerts INTEGER NOT NULL DEFAULT 0, n_firing INTEGER NOT NULL DEFAULT 0,
  multi INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'open');
CREATE INDEX IF NOT EXISTS noise_groups_status ON noise_groups(status);
CREATE TABLE IF NOT EXISTS noise_group_alias (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS noise_timeline (
  group_id TEXT NOT NULL, ts REAL NOT NULL, signal_id TEXT NOT NULL, entry TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS noise_timeline_group ON noise_timeline(group_id, ts);
CREATE TABLE IF NOT EXISTS noise_alerts (
  fingerprint TEXT NOT NULL, group_id TEXT NOT NULL, status TEXT NOT NULL,
  ts REAL NOT NULL, signal_id TEXT NOT NULL, muted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (fingerprint, group_id));
CREATE TABLE IF NOT EXISTS noise_inhibit_src (
  rule INTEGER NOT NULL, eqkey TEXT NOT NULL, fingerprint TEXT NOT NULL,
  both_sides INTEGER NOT NULL, name TEXT NOT NULL, since REAL NOT NULL,
  PRIMARY KEY (rule, eqkey, fingerprint));
CREATE INDEX IF NOT EXISTS noise_inhibit_fp ON noise_inhibit_src(fingerprint);
CREATE TABLE IF NOT EXISTS noise_flaps (
  fingerprint TEXT PRIMARY KEY, events TEXT NOT NULL, flapping INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS noise_baselines (series TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS noise_suppressions (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, matchers TEXT NOT NULL, start REAL NOT NULL,
  end_ts REAL NOT NULL, reason TEXT NOT NULL, created_by TEXT NOT NULL, expired_at REAL);
CREATE TABLE IF NOT EXISTS noise_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# The alert rows of one group (?), found through its members (every alert row of a group has a
# member with its fingerprint there), so alert writes need no per-group index of their own.
GROUP_ALERTS = ("SELECT DISTINCT a.fingerprint, a.status, a.ts, a.signal_id, a.muted "
                "FROM noise_members m JOIN noise_alerts a ON a.fingerprint = m.fingerprint "
                "AND a.group_id = m.group_id WHERE m.group_id = ?")

SCHEMA_VERSION = 8
DERIVED = ("noise_dedup", "noise_outcomes", "noise_members", "noise_key_groups",
           "noise_service_keys", "noise_groups",
           "noise_group_alias",
           "noise_timeline", "noise_alerts", "noise_inhibit_src", "noise_flaps",
           "noise_baselines")


def create_tables(conn: sqlite3.Connection) -> None:
    """Create the noise tables if missing (idempotent, safe for concurrent workers).

    Derived state from an older layout is dropped and rebuilt from new signals; runtime
    maintenance windows and silences (operator data) are always kept.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS noise_meta "
                     "(key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        row = conn.execute("SELECT value FROM noise_meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            for table in DERIVED:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute("INSERT OR REPLACE INTO noise_meta VALUES ('schema_version', ?)",
                         (SCHEMA_VERSION,))
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
