"""The emulator's state: one SQLite database file per emulated tenant.

Objects of every kind live in one table as JSON documents, ordered by an insertion sequence that paging uses;
relationships (an application's owners) live in a link table. Alternate keys Graph addresses objects by
(`appId`, `uniqueName`, `userPrincipalName`), the look-ups `$filter` makes by `displayName`, `appId` and `originId`
(which compare case-insensitively, so their indexes are NOCASE) and the references of app role assignments and
delegated permission grants (`resourceId`, `principalId`, `clientId`) have expression indexes, and the string
collections `$filter` searches with `any` (`tags`, `identifierUris`) are indexed in `members`, so look-ups stay fast
at tenant scale. Lists are projected (`$select`) in SQL and returned as JSON text: a page is never parsed and
re-encoded.

Replication lag (fault injection, `lag_replication`): each object written for the first time gets a `visible_after`
time, and until then reads answer as a lagging replica would -- `get`, `find`, lists and link traversals act as if
the object did not exist -- unless the caller reads the write primary (`primary=True`: uniqueness checks, upserts by
alternate key, cascades and in-use checks). Without lag no read adds a condition, so nothing costs more.
"""

from __future__ import annotations

import atexit
import json
import sqlite3
import threading
import uuid
import weakref
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
    doc TEXT NOT NULL,
    visible_after REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_id ON objects (kind, id);
CREATE INDEX IF NOT EXISTS objects_page ON objects (kind, seq);
CREATE INDEX IF NOT EXISTS objects_app_id ON objects (kind, json_extract(doc, '$.appId'));
CREATE INDEX IF NOT EXISTS objects_unique_name ON objects (kind, json_extract(doc, '$.uniqueName'));
CREATE INDEX IF NOT EXISTS objects_upn ON objects (kind, lower(json_extract(doc, '$.userPrincipalName')));
DROP INDEX IF EXISTS objects_display_name;
DROP INDEX IF EXISTS objects_origin_id;
CREATE INDEX IF NOT EXISTS objects_display_name_nocase ON objects (kind, json_extract(doc, '$.displayName') COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS objects_app_id_nocase ON objects (kind, json_extract(doc, '$.appId') COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS objects_origin_id_nocase ON objects (kind, json_extract(doc, '$.originId') COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS objects_resource_id ON objects (kind, json_extract(doc, '$.resourceId'));
CREATE INDEX IF NOT EXISTS objects_principal_id ON objects (kind, json_extract(doc, '$.principalId'));
CREATE INDEX IF NOT EXISTS objects_client_id ON objects (kind, json_extract(doc, '$.clientId'));
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


_OPEN_FILES: weakref.WeakSet = weakref.WeakSet()  # stores kept in a file, not closed yet


@atexit.register
def _close_at_exit() -> None:
    """Every tenant kept in a file is closed when the process exits, its write-ahead log folded back into the state
    file: idamconf leaves without freeing what it built (cli._leave), so nothing else would close them, and a state
    file copied or cached alone must hold the whole tenant."""
    for store in list(_OPEN_FILES):
        store.close()


class StateFileError(ValueError):
    """A state file that cannot hold an emulated tenant: a directory, another program's file, a damaged database.
    Raised before anything is read or changed, with the file and what to do (the command layer says it as a
    diagnostic: commands/__init__.py), where SQLite's own exception would have been an unexpected failure."""

    def __init__(self, path: str | Path, reason: str, fix: str = ""):
        super().__init__(f"cannot be used as an emulated tenant's state: {reason}")
        self.path = str(path)
        self.fix = fix or ("if idamconf made it, it is damaged: remove it (`idamconf emulator reset`; the tenant "
                           "is made and seeded again on next use); otherwise name the state file with --state")


def opened(path: str, connect):
    """`connect(path)` -> the SQLite connection it made; a file SQLite cannot use as a tenant's raises
    StateFileError (the connection closed), whichever step found it: opening, the schema, the first read."""
    if path != ":memory:" and Path(path).is_dir():
        raise StateFileError(path, "it is a directory", "name the state file itself, or remove the directory")
    db = None
    try:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        return connect(db)
    except (sqlite3.DatabaseError, OSError) as error:
        if db is not None:
            db.close()
        fix = "name a state file in a directory that exists or can be made" if isinstance(error, OSError) else ""
        raise StateFileError(path, str(error), fix) from None


class Store:
    """Thread-safe access to one tenant's database. `path=":memory:"` keeps the tenant in memory."""

    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        self._lag = None  # (delay, clock) while replication lags
        self._lock = threading.RLock()
        self._db = opened(self.path, self._prepared)
        if self.path != ":memory:":
            _OPEN_FILES.add(self)

    def _prepared(self, db: sqlite3.Connection) -> sqlite3.Connection:
        self._db = db
        db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        self._add_visible_after()
        self.tenant_id = self._meta("tenantId", lambda: str(uuid.uuid4()))
        self.domain = self._meta("domain", lambda: "contoso.onmicrosoft.com")
        return db

    def close(self) -> None:
        self._db.close()
        _OPEN_FILES.discard(self)

    def _meta(self, key: str, default) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row:
            return row[0]
        value = default()
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        return value

    def setting(self, key: str, default=None):
        """A tenant setting kept as JSON (emulator/tenant.py: verified domains, the app-management policy)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value) -> None:
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                         "excluded.value", (key, json.dumps(value)))

    def set_tenant_id(self, tenant_id: str) -> None:
        self._db.execute("INSERT INTO meta (key, value) VALUES ('tenantId', ?) ON CONFLICT (key) DO UPDATE SET "
                         "value = excluded.value", (tenant_id,))
        self.tenant_id = tenant_id

    def transaction(self):
        """A context manager holding the lock and one SQLite transaction: a write is all or nothing."""
        return _Transaction(self)

    # ----------------------------------------------------------------------------------------- replication lag
    def _add_visible_after(self) -> None:
        """A state file from before replication lag gains the column; pending objects are indexed by id."""
        if "visible_after" not in [row[1] for row in self._db.execute("PRAGMA table_info(objects)")]:
            self._db.execute("ALTER TABLE objects ADD COLUMN visible_after REAL")
        self._db.execute("CREATE INDEX IF NOT EXISTS objects_pending ON objects (id) "
                         "WHERE visible_after IS NOT NULL")

    def lag_replication(self, delay, clock) -> None:
        """From now on an object written for the first time becomes visible `delay()` seconds later on `clock`."""
        self._lag = (delay, clock)

    def _visible(self, primary: bool, table: str = "objects") -> tuple[str, tuple]:
        """The SQL condition (and its parameter) that keeps pending objects of `table` out of a replica read."""
        if primary or self._lag is None:
            return "", ()
        return f" AND ({table}.visible_after IS NULL OR {table}.visible_after <= ?)", (self._lag[1](),)

    def _linked_visible(self, primary: bool, column: str) -> tuple[str, tuple]:
        """The condition that keeps links to or from pending objects out of a replica read."""
        if primary or self._lag is None:
            return "", ()
        return (f" AND NOT EXISTS (SELECT 1 FROM objects AS pending WHERE pending.id = links.{column} "
                "AND pending.visible_after > ?)", (self._lag[1](),))

    def _new_visible_after(self, kind: str, key: str) -> float | None:
        if self._lag is None or self._db.execute("SELECT 1 FROM objects WHERE kind = ? AND id = ?",
                                                 (kind, key)).fetchone():
            return None
        delay, clock = self._lag
        return clock() + delay()

    # ------------------------------------------------------------------------------------------------ objects
    def get(self, kind: str, object_id: str, primary: bool = False) -> dict | None:
        visible, params = self._visible(primary)
        row = self._db.execute(f"SELECT doc FROM objects WHERE kind = ? AND id = ?{visible}",
                               (kind, object_id, *params)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, kind: str, key: str, value: str, primary: bool = False) -> dict | None:
        """One object by an alternate key (`appId`, `uniqueName`, `userPrincipalName`)."""
        if key == "userPrincipalName":
            sql = "SELECT doc FROM objects WHERE kind = ? AND lower(json_extract(doc, '$.userPrincipalName')) = lower(?)"
        else:
            sql = f"SELECT doc FROM objects WHERE kind = ? AND json_extract(doc, '$.{key}') = ?"
        visible, params = self._visible(primary)
        row = self._db.execute(sql + visible, (kind, value, *params)).fetchone()
        return json.loads(row[0]) if row else None

    def select(self, kind: str, equals: dict[str, str], primary: bool = False, where: str = "",
               values: tuple = ()) -> list[dict]:
        """The objects of `kind` whose properties equal `equals` (names go into the SQL; values are parameters), in
        insertion order: an app role assignment's duplicates, a service principal's grants. `where` and its `values`:
        a further condition, a `$filter`'s (odata.Query)."""
        clauses = "".join(f" AND json_extract(doc, '$.{name}') = ?" for name in equals)
        if where:
            clauses += f" AND ({where})"
        visible, params = self._visible(primary)
        rows = self._db.execute(f"SELECT doc FROM objects WHERE kind = ?{clauses}{visible} ORDER BY seq",
                                (kind, *equals.values(), *values, *params))
        return [json.loads(row[0]) for row in rows]

    def put(self, kind: str, doc: dict, key: str | None = None) -> None:
        """Insert or replace; a replaced object keeps its place in paging order. `key` stores the object under
        another key than its `id`, for objects whose id is unique only below a parent (an access package's
        resourceRoleScopes)."""
        key = key or doc["id"]
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        self._db.execute(
            "INSERT INTO objects (kind, id, doc, visible_after) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc",
            (kind, key, text, self._new_visible_after(kind, key)),
        )
        self._db.execute("DELETE FROM members WHERE kind = ? AND id = ?", (kind, key))
        rows = [(kind, key, prop, value) for prop in INDEXED_COLLECTIONS for value in doc.get(prop) or ()
                if isinstance(value, str)]
        self._db.executemany("INSERT INTO members (kind, id, prop, value) VALUES (?, ?, ?, ?)", rows)

    def delete(self, kind: str, object_id: str) -> None:
        self._db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, object_id))
        self._db.execute("DELETE FROM members WHERE kind = ? AND id = ?", (kind, object_id))
        self._db.execute("DELETE FROM links WHERE source = ? OR target = ?", (object_id, object_id))

    def page(self, kind: str, query: Query) -> tuple[list[str], int | tuple[int, str] | None]:
        """One page of a list in insertion order (or along an index: `_along`), as JSON texts projected to
        `$select`, and the place to continue after, if there is more (for odata.encode_skiptoken)."""
        keyed, last = self.page_keyed(kind, query)
        return [text for _, text in keyed], last

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

    def targets(self, relation: str, source: str, primary: bool = False) -> list[str]:
        visible, lag = self._linked_visible(primary, "target")
        rows = self._db.execute(f"SELECT target FROM links WHERE relation = ? AND source = ?{visible} ORDER BY rowid",
                                (relation, source, *lag))
        return [row[0] for row in rows]

    def sources(self, relation: str, target: str, primary: bool = False) -> list[str]:
        visible, lag = self._linked_visible(primary, "source")
        rows = self._db.execute(f"SELECT source FROM links WHERE relation = ? AND target = ?{visible} ORDER BY rowid",
                                (relation, target, *lag))
        return [row[0] for row in rows]

    # ---------------------------------------------------------------------------------- reading at tenant scale
    def page_keyed(self, kind: str, query: Query) -> tuple[list[tuple[str, str]], int | tuple[int, str] | None]:
        """As `page`, with each object's id beside its JSON text (`$select` may leave the id out of the text)."""
        where = f" AND ({query.where})" if query.where else ""
        columns = "doc"
        if query.select:  # property names were checked against the entity's declared properties
            columns = "json_object(" + ", ".join(f"'{name}', doc -> '$.{name}'" for name in query.select) + ")"
        visible, lag = self._visible(False)
        if query.index:
            sql, params = self._along(kind, query, columns, where, visible, lag)
        else:
            sql = (f"SELECT seq, id, NULL, {columns} FROM objects WHERE kind = ? AND seq > ?{where}{visible} "
                   "ORDER BY seq LIMIT ?")
            params = (kind, query.after_seq, *query.params, *lag, query.top + 1)
        rows = self._db.execute(sql, params).fetchall()
        more = len(rows) > query.top
        rows = rows[: query.top]
        last = None if not more else (rows[-1][0], rows[-1][2]) if query.index else rows[-1][0]
        return [(object_id, text) for _, object_id, _, text in rows], last

    @staticmethod
    def _along(kind: str, query: Query, columns: str, where: str, visible: str, lag: tuple) -> tuple[str, tuple]:
        """A list filtered on an indexed property (odata.py `paged_by`) is paged in the index's order -- the
        property's value in any case, then insertion -- each page after the last row's (value, seq) before it: a
        page reads its own rows and no others. In insertion order every page went through all the matches before
        it to sort them: at 10,000 service principals read in 16 ranges of display names, 4.1 ms a page of 100
        ids against 2.0 ms now. Graph promises no order for a list's pages.

        The place after the last row: for a range (`ge`, `le`, `startsWith`), where the index's range starts -- rows
        of a later value, or of the same value and inserted later; for an exact comparison (`eq`, `in`), a row
        value, so that the index is still sought at the values compared (as a range from the place, the last page of
        `displayName eq` would go through every later name: 74 ms at 10,000 service principals, against 0.02 ms)."""
        key = f"{query.key} COLLATE NOCASE"
        after, values = "", ()
        if query.after_key is not None and query.exact:
            after, values = f" AND ({key}, seq) > (?, ?)", (query.after_key, query.after_seq)
        elif query.after_key is not None:
            after = f" AND {key} >= ? AND NOT ({key} = ? AND seq <= ?)"
            values = (query.after_key, query.after_key, query.after_seq)
        sql = (f"SELECT seq, id, {query.key}, {columns} FROM objects INDEXED BY {query.index} WHERE kind = ?{after}"
               f"{where}{visible} ORDER BY {key}, seq LIMIT ?")
        return sql, (kind, *values, *query.params, *lag, query.top + 1)

    def linked_documents(self, relation: str, sources: list[str], kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(source, kind, JSON text) of the existing link targets of `sources`, in link order: one query for a whole
        page of sources (e.g. the owners of 100 applications)."""
        if not sources:
            return []
        visible, lag = self._visible(False, "o")
        sql = (f"SELECT l.source, o.kind, o.doc FROM links AS l "
               f"JOIN objects AS o ON o.id = l.target AND o.kind IN ({', '.join('?' * len(kinds))}) "
               f"WHERE l.relation = ? AND l.source IN ({', '.join('?' * len(sources))}){visible} ORDER BY l.rowid")
        return self._db.execute(sql, (*kinds, relation, *sources, *lag)).fetchall()

    def referring(self, kind: str, prop: str, values: list[str]) -> list[tuple[str, str]]:
        """(the value, JSON text) of the objects of `kind` whose `prop` is among `values`, in insertion order: one
        query for a whole page (the app role assignments granted by 100 service principals). `prop` goes into the
        SQL; it is one of the indexed references (resourceId, principalId, clientId)."""
        if not values:
            return []
        visible, lag = self._visible(False)
        sql = (f"SELECT json_extract(doc, '$.{prop}'), doc FROM objects WHERE kind = ? "
               f"AND json_extract(doc, '$.{prop}') IN ({', '.join('?' * len(values))}){visible} ORDER BY seq")
        return self._db.execute(sql, (kind, *values, *lag)).fetchall()

    def documents(self, kinds: tuple[str, ...], ids: list[str]) -> list[tuple[str, str, str]]:
        """(kind, id, JSON text) of the objects of any of `kinds` whose id is among `ids`, in one query."""
        if not kinds or not ids:
            return []
        visible, lag = self._visible(False)
        sql = (f"SELECT kind, id, doc FROM objects WHERE kind IN ({', '.join('?' * len(kinds))}) "
               f"AND id IN ({', '.join('?' * len(ids))}){visible}")
        return self._db.execute(sql, (*kinds, *ids, *lag)).fetchall()

    def linked_objects(self, relation: str, ids: list[str], kind: str,
                       reverse: bool = False) -> list[tuple[str, str, str]]:
        """(id, linked object's id, its JSON text) of the objects of `kind` that `ids` link to -- or, `reverse`, that
        link to `ids` -- in link order: one query for a whole page (the catalogs of 999 access packages)."""
        if not ids:
            return []
        near, far = ("target", "source") if reverse else ("source", "target")
        relation_column = "+l.relation" if reverse else "l.relation"  # `+`: find links by target, not by relation
        visible, lag = self._visible(False, "o")
        sql = (f"SELECT l.{near}, o.id, o.doc FROM links AS l JOIN objects AS o ON o.kind = ? AND o.id = l.{far} "
               f"WHERE {relation_column} = ? AND l.{near} IN ({', '.join('?' * len(ids))}){visible} ORDER BY l.rowid")
        return self._db.execute(sql, (kind, relation, *ids, *lag)).fetchall()

    def linked_ids(self, relation: str, sources: list[str]) -> list[tuple[str, str]]:
        """(source, target) of the links from any of `sources`, in link order, as `targets` reads them: one query."""
        if not sources:
            return []
        visible, lag = self._linked_visible(False, "target")
        sql = (f"SELECT source, target FROM links WHERE relation = ? "
               f"AND source IN ({', '.join('?' * len(sources))}){visible} ORDER BY rowid")
        return self._db.execute(sql, (relation, *sources, *lag)).fetchall()

    def collection_items(self, kind: str, ids: list[str], collection: str,
                         names: tuple[str, ...]) -> list[tuple]:
        """(object id, then the item's `names` as JSON texts, `null` when absent) of each item of the array of
        objects `collection` in the objects of `kind` among `ids`, in array order: one query, no document parsed in
        Python (the app roles of 999 service principals). `names` go into the SQL."""
        if not ids:
            return []
        columns = ", ".join(f"coalesce(item.value -> '$.{name}', 'null')" for name in names)
        visible, lag = self._visible(False, "o")
        sql = (f"SELECT o.id, {columns} FROM objects AS o, json_each(o.doc, '$.{collection}') AS item "
               f"WHERE o.kind = ? AND o.id IN ({', '.join('?' * len(ids))}){visible} ORDER BY o.id, item.key")
        return self._db.execute(sql, (kind, *ids, *lag)).fetchall()


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
