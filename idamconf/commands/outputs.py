"""Where a command writes what its user asked it to (`plan --out`, `export --out`, `schema --write`, `saml metadata
--out`): the place is checked before any work -- a plan is not made, nor the tenant read, to be lost at the end --
and a write the system refuses all the same (a full disk, a place only root may write) is a diagnostic naming the
option, the path and the system's reason, never an unexpected OSError."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError

FILE_FIX = "name a file in a directory that exists and that you can write"
DIRECTORY_FIX = "name a directory that exists, or that can be made, where you can write"


def ready(path: Path, option: str, directory: bool = False) -> None:
    """`path` (a file, or with `directory` a directory made if missing) can be written as far as the disk shows: the
    nearest part of it that exists is a directory. Raises DiagnosticError otherwise."""
    path = Path(path)
    existing = path if directory else path.parent
    while not existing.exists() and existing != existing.parent:
        if not directory:
            raise _refused(path, option, f"its directory {path.parent} does not exist", directory)
        existing = existing.parent
    if not existing.is_dir():
        raise _refused(path, option, f"{existing} is not a directory", directory)


@contextmanager
def writing(path: Path, option: str, directory: bool = False):
    """The writes inside, to `path` or under it: an OSError is said as a diagnostic."""
    try:
        yield
    except OSError as error:
        raise _refused(path, option, error.strerror or str(error), directory) from None


def _refused(path: Path, option: str, reason: str, directory: bool) -> DiagnosticError:
    return DiagnosticError([Diagnostic(f"{option}: cannot write here: {reason}",
                                       DIRECTORY_FIX if directory else FILE_FIX, str(path))])
