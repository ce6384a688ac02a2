"""What a configuration makes idamconf read, write or delete stays inside the configuration directory.

A pull request can add symbolic links as easily as files (git stores them), and can name any path in a setting. So
`idamconf.yaml`, the application files (config/load), an emulator `seed`, an application's `logo` (config/logo.py,
read by validate, plan and apply), and the embedded emulator's state under `.idamconf/` (written by plan and apply,
deleted by `emulator reset`) are refused when they lead outside -- through `..`, an absolute path or a link -- before
anything is read, written or deleted there. Paths given on the command
line (`--state`, `emulator seed FILE`, `plan --out`) are the operator's own choice and are not checked.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..diagnostics import Diagnostic
from .model import Environment
from .yamlfile import Document

STATE_DIR = ".idamconf"  # the embedded emulator's state: <config>/.idamconf/<environment>.db
STATE_SUFFIXES = ("", "-wal", "-shm")  # SQLite's files for one state: the database, its log and shared memory


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, every link followed, is in the directory `root` (a path that cannot be resolved is not)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a loop of links
        return False


class Unreadable(Exception):
    """A file a setting names that is not read: (what is wrong, how to fix it)."""

    def __init__(self, summary: str, fix: str):
        super().__init__(summary)
        self.summary, self.fix = summary, fix


def read_inside(root: Path, path: str, largest: int, what: str) -> bytes:
    """The file `path` names (a certificate, SP metadata), read only if it is inside the configuration directory,
    and only up to `largest` bytes: a file that should be small is never read whole when it is not. `what` names it
    in the messages. Raises `Unreadable`."""
    file = root / path
    if not inside(root, file):
        raise Unreadable(f"'{path}' is outside the configuration directory (an absolute path, '..' or a link leading "
                         "out)", f"copy the {what} into the configuration directory and name it by its path")
    try:
        if not file.is_file():
            raise Unreadable(f"no {what} '{path}' in the configuration directory",
                             "check the path: it is relative to the directory holding idamconf.yaml")
        with file.open("rb") as stream:
            content = stream.read(largest + 1)
            size = max(len(content), os.fstat(stream.fileno()).st_size)
    except OSError as error:
        raise Unreadable(f"cannot read '{path}': {error.strerror or error}", "check the file's permissions") from None
    if size > largest:
        raise Unreadable(f"'{path}' is larger than a {what} should be ({size} bytes, at most {largest})",
                         f"check that the path names the {what} itself (a single one, as its issuer gave it), not "
                         "an archive, a bundle or another file")
    return content


def linked_outside(root: Path, path: Path, shown: str) -> Diagnostic | None:
    """A file or directory of the configuration that is a link leading outside it."""
    if not path.is_symlink() or inside(root, path):
        return None
    return leads_outside("directory" if path.is_dir() else "file", shown)


def leads_outside(what: str, shown: str) -> Diagnostic:
    return Diagnostic(f"this {what} links outside the configuration directory",
                      f"copy the {what} into the configuration directory instead of linking to it", shown)


def seeds_outside(root: Path, project: Document, environments: dict[str, Environment]) -> list[Diagnostic]:
    """Emulator seed files named by a path leading outside the configuration directory."""
    return [project.diagnostic(("environments", name, "seed"), "the seed file is outside the configuration "
                               "directory (an absolute path, '..' or a link leading out)",
                               "keep the seed file in the configuration directory, e.g. emulator/directory.yaml")
            for name, environment in environments.items()
            if environment.seed and not inside(root, root / environment.seed)]


def seeds_not_files(root: Path, project: Document, environments: dict[str, Environment]) -> list[Diagnostic]:
    """Emulator seed files inside the configuration that are not a regular file: none there (the plan stopped at
    the seed, without idamconf.yaml's line), a directory, or a FIFO (the plan waited forever to read it)."""
    return [project.diagnostic(("environments", name, "seed"), _not_a_file(environment.seed, root / environment.seed),
                               "name the seed file by its path from the directory holding idamconf.yaml, e.g. "
                               "emulator/directory.yaml")
            for name, environment in environments.items() if environment.seed
            and inside(root, root / environment.seed) and not (root / environment.seed).is_file()]


def _not_a_file(written: str, path: Path) -> str:
    if not path.exists():
        return f"no seed file '{written}' in the configuration directory"
    return f"'{written}' is not a regular file (a directory, a FIFO or a device): a seed file is YAML"


def state_links(root: Path, environments: dict[str, Environment], shown) -> list[Diagnostic]:
    """The embedded emulator's state directory, or one of its state files, planted as a link: SQLite would write
    through it, and `emulator reset` delete through it. idamconf makes these itself, never as links."""
    if not any(environment.emulator for environment in environments.values()):
        return []
    directory = root / STATE_DIR
    if directory.is_symlink():
        return [Diagnostic("the embedded emulator's state directory is a link; its state would be written there",
                           f"remove the link: idamconf creates {STATE_DIR}/ itself (keep it out of git)",
                           shown(directory))]
    files = [directory / f"{name}{kind}.db{suffix}" for name, environment in environments.items()
             if environment.emulator for kind in ("", ".vault") for suffix in STATE_SUFFIXES]  # its vault's too
    return [Diagnostic("this state file of the embedded emulator is a link; its state would be written through it",
                       f"remove the link: idamconf creates the files in {STATE_DIR}/ itself", shown(path))
            for path in files if path.is_symlink()]
