"""The emulator's state: one SQLite database file per emulated tenant.

Objects of every kind live in one table as JSON documents, ordered by an insertion sequence that paging uses;
relationships (an application's owners) live in a link table. Alternate keys Graph addresses objects by
(`appId`, `uniqueName`, `userPrincipalName`) have expression indexes, and the string collections `$filter` searches
with `any` (`tags`, `identifierUris`) are indexed in `members`, so look-ups stay fast at tenant scale. Lists are
projected (`$select`) in SQL and returned as JSON text: a page is never parsed and re-encoded.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path

from .odata import Query

INDEXED_COLLECTIONS = ("tags", "identifierUris")
if sqlite3.sqlite_version_info < (3, 38, 0):
    raise ImportError(f"the emulator needs SQLite 3.38 or newer (JSON '->'); this Python has {sqlite3.sqlite_version}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_id ON objects (kind, id);
CREATE INDEX IF NOT EXISTS objects_page ON objects (kind, seq);
CREATE INDEX IF NOT EXISTS objects_app_id ON objects (kind, json_extract(doc, '$.appId'));
CREATE INDEX IF NOT EXISTS objects_unique_name ON objects (kind, json_extract(doc, '$.uniqueName'));
CREATE INDEX IF NOT EXISTS objects_upn ON objects (kind, lower(json_extract(doc, '$.userPrincipalName')));
CREATE TABLE IF NOT EXISTS links (
    relation TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (relation, source, target)
);
CREATE INDEX IF NOT EXISTS links_target ON links (target);
CREATE TABLE IF NOT EXISTS members (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    prop TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS members_value ON members (prop, value);
CREATE INDEX IF NOT EXISTS members_value_nocase ON members (prop, lower(value));
CREATE INDEX IF NOT EXISTS members_object ON members (kind, id, prop, value);
"""


class Store:
    """Thread-safe access to one tenant's database. `path=":memory:"` keeps the tenant in memory."""

    def __init__(self, path: str | Path = ":memory:"):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self.tenant_id = self._meta("tenantId", lambda: str(uuid.uuid4()))
        self.domain = self._meta("domain", lambda: "contoso.onmicrosoft.com")

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str, default) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row:
            return row[0]
        value = default()
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        return value

    def transaction(self):
        """A context manager holding the lock and one SQLite transaction: a write is all or nothing."""
        return _Transaction(self)

    # ------------------------------------------------------------------------------------------------ objects
    def get(self, kind: str, object_id: str) -> dict | None:
        row = self._db.execute("SELECT doc FROM objects WHERE kind = ? AND id = ?", (kind, object_id)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, kind: str, key: str, value: str) -> dict | None:
        """One object by an alternate key (`appId`, `uniqueName`, `userPrincipalName`)."""
        if key == "userPrincipalName":
            sql = "SELECT doc FROM objects WHERE kind = ? AND lower(json_extract(doc, '$.userPrincipalName')) = lower(?)"
        else:
            sql = f"SELECT doc FROM objects WHERE kind = ? AND json_extract(doc, '$.{key}') = ?"
        row = self._db.execute(sql, (kind, value)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, doc: dict, key: str | None = None) -> None:
        """Insert or replace; a replaced object keeps its place in paging order. `key` stores the object under
        another key than its `id`, for objects whose id is unique only below a parent (an access package's
        resourceRoleScopes)."""
        key = key or doc["id"]
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        self._db.execute(
            "INSERT INTO objects (kind, id, doc) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc",
            (kind, key, text),
        )
        self._db.execute("DELETE FROM members WHERE kind = ? AND id = ?", (kind, key))
        rows = [(kind, key, prop, value) for prop in INDEXED_COLLECTIONS for value in doc.get(prop) or ()
                if isinstance(value, str)]
        self._db.executemany("INSERT INTO members (kind, id, prop, value) VALUES (?, ?, ?, ?)", rows)

    def delete(self, kind: str, object_id: str) -> None:
        self._db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, object_id))
        self._db.execute("DELETE FROM members WHERE kind = ? AND id = ?", (kind, object_id))
        self._db.execute("DELETE FROM links WHERE source = ? OR target = ?", (object_id, object_id))

    def page(self, kind: str, query: Query) -> tuple[list[str], int | None]:
        """One page of a list in insertion order, as JSON texts projected to `$select`, and the sequence to
        continue after, if there is more."""
        where = f" AND ({query.where})" if query.where else ""
        columns = "doc"
        if query.select:  # property names were checked against the entity's declared properties
            columns = "json_object(" + ", ".join(f"'{name}', doc -> '$.{name}'" for name in query.select) + ")"
        sql = f"SELECT seq, {columns} FROM objects WHERE kind = ? AND seq > ?{where} ORDER BY seq LIMIT ?"
        rows = self._db.execute(sql, (kind, query.after_seq, *query.params, query.top + 1)).fetchall()
        more = len(rows) > query.top
        rows = rows[: query.top]
        return [text for _, text in rows], (rows[-1][0] if more else None)

    def holders(self, kind: str, prop: str, value: str) -> list[str]:
        """Ids of the objects whose collection `prop` holds `value` (compared case-insensitively)."""
        # `+kind`: look up by (prop, lower(value)), not by scanning every member of the kind.
        sql = "SELECT id FROM members WHERE +kind = ? AND prop = ? AND lower(value) = lower(?)"
        return [row[0] for row in self._db.execute(sql, (kind, prop, value))]

    # -------------------------------------------------------------------------------------------------- links
    def link(self, relation: str, source: str, target: str) -> bool:
        """Add a link; False when it already existed."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO links (relation, source, target) VALUES (?, ?, ?)", (relation, source, target)
        )
        return cursor.rowcount == 1

    def unlink(self, relation: str, source: str, target: str) -> bool:
        cursor = self._db.execute(
            "DELETE FROM links WHERE relation = ? AND source = ? AND target = ?", (relation, source, target)
        )
        return cursor.rowcount == 1

    def targets(self, relation: str, source: str) -> list[str]:
        rows = self._db.execute(
            "SELECT target FROM links WHERE relation = ? AND source = ? ORDER BY rowid", (relation, source)
        )
        return [row[0] for row in rows]

    def sources(self, relation: str, target: str) -> list[str]:
        rows = self._db.execute(
            "SELECT source FROM links WHERE relation = ? AND target = ? ORDER BY rowid", (relation, target)
        )
        return [row[0] for row in rows]


class _Transaction:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> Store:
        self.store._lock.acquire()
        self.store._db.execute("BEGIN IMMEDIATE")
        return self.store

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store._lock.release()
