"""The emulated Key Vault's state: every version of every secret of every vault the emulated tenant holds, in a
SQLite file of its own beside the tenant's (`<state>.vault.db`; in memory for an in-memory tenant).

Apart on purpose: the vault is the one place a client secret's value may be, so the tenant's own file (Graph's
objects, which never hold a secret) stays free of it, and a test can check that no file but the vault's does.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from .store import opened

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    vault TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    version TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS versions_key ON versions (vault, name, version);
CREATE TABLE IF NOT EXISTS deleted (
    vault TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    deleted INTEGER NOT NULL,
    PRIMARY KEY (vault, name)
);
"""
SUFFIXES = ("", "-wal", "-shm")


def vault_path(state: str | Path) -> str:
    """The vault's file for a tenant's state file (":memory:" stays in memory)."""
    if str(state) == ":memory:":
        return ":memory:"
    state = Path(state)
    return str(state.with_name(state.stem + ".vault.db"))


class VaultStore:
    def __init__(self, path: str = ":memory:"):
        self.path = path
        self._db = opened(path, self._prepared)
        self._lock = threading.Lock()

    def _prepared(self, db: sqlite3.Connection) -> sqlite3.Connection:
        if self.path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        return db

    def add(self, vault: str, name: str, version: str, doc: dict) -> None:
        with self._lock:
            self._db.execute("INSERT INTO versions (vault, name, version, doc) VALUES (?, ?, ?, ?)",
                             (vault, name, version, json.dumps(doc)))

    def replace(self, vault: str, name: str, version: str, doc: dict) -> None:
        with self._lock:
            self._db.execute("UPDATE versions SET doc = ? WHERE vault = ? AND name = ? AND version = ?",
                             (json.dumps(doc), vault, name, version))

    def versions(self, vault: str, name: str) -> list[tuple[str, dict]]:
        """(version, document) of a secret, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT version, doc FROM versions WHERE vault = ? AND name = ? ORDER BY seq",
                                    (vault, name)).fetchall()
        return [(version, json.loads(doc)) for version, doc in rows]

    def names(self, vault: str) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT name FROM versions WHERE vault = ? ORDER BY name",
                                    (vault,)).fetchall()
        return [row[0] for row in rows]

    def delete(self, vault: str, name: str, when: int) -> None:
        """A secret deleted, as soft-delete keeps it: its versions stay, its name is held (emulator/keyvault.py)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO deleted (vault, name, deleted) VALUES (?, ?, ?)",
                             (vault, name, when))

    def deleted(self, vault: str, name: str) -> int | None:
        """When the secret was deleted (Unix seconds), or None if it is not a deleted secret."""
        with self._lock:
            row = self._db.execute("SELECT deleted FROM deleted WHERE vault = ? AND name = ?", (vault, name)).fetchone()
        return row[0] if row else None

    def deleted_names(self, vault: str) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT name FROM deleted WHERE vault = ? ORDER BY name", (vault,)).fetchall()
        return [row[0] for row in rows]

    def recover(self, vault: str, name: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM deleted WHERE vault = ? AND name = ?", (vault, name))

    def purge(self, vault: str, name: str) -> None:
        """A deleted secret gone for good: its versions and its name's hold."""
        with self._lock:
            self._db.execute("DELETE FROM deleted WHERE vault = ? AND name = ?", (vault, name))
            self._db.execute("DELETE FROM versions WHERE vault = ? AND name = ?", (vault, name))

    def close(self) -> None:
        self._db.close()
