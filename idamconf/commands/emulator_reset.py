from __future__ import annotations

from pathlib import Path

from ..emulator.embedded import reset
from ..emulator.store import StateFileError
from ..emulator.vault_store import vault_path
from .emulator_seed import emulated_tenant

SQLITE = b"SQLite format 3\0"  # the first 16 bytes of every SQLite database (sqlite.org/fileformat.html)
FIX = ("name the emulated tenant's state file (without --state, reset finds the environment's own), or delete the "
       "file yourself")


def run(config_dir: Path, env: str | None, state: Path | None) -> int:
    path, _, _ = emulated_tenant(config_dir, env, state)
    if state is not None:  # typed by hand, where a slip names a file of one's own: deleted only if it is a state
        _a_database(path)
    reset(path)
    print(f"Emulated tenant reset: {path} removed; it is created (and seeded) again on next use.")
    return 0


def _a_database(path: Path) -> None:
    """Raises StateFileError, before anything is deleted, for a --state file -- or its vault's -- that is not an
    SQLite database (an empty file passes: SQLite's own start so), or not a regular file at all (a FIFO, read to
    check, would be waited on)."""
    for file in (path, Path(vault_path(path))):
        if not file.exists() or file.is_dir():
            continue  # nothing to delete; a directory is refused by reset itself
        if not file.is_file():
            raise StateFileError(file, "it is not a regular file, so reset does not delete it", FIX)
        with open(file, "rb") as opened:
            head = opened.read(len(SQLITE))
        if head and head != SQLITE:
            raise StateFileError(file, "it is not an SQLite database, so reset does not delete it", FIX)
