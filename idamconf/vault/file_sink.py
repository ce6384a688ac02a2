"""The local file sink's I/O (vault/files.py says what it is and when it may be used; validate imports that, and
nothing of this): each secret's value and key list written whole, and read back -- the key list only, never the value.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from .. import jsonread
from .sinks import VaultError


class FileSink:
    """One secret's files in the environment's directory. Every failure of the file system -- permission denied, the
    directory missing or a file, a disk full, a directory where a file goes, a damaged key list -- is a VaultError
    saying what failed on which file, where idamconf.yaml names the directory (`where`), and how to fix it: never a
    traceback, and apply removes the password it added (apply_secrets.py)."""

    def __init__(self, directory: Path, secret_name: str, where: str = ""):
        self.directory, self.secret_name = directory, secret_name
        self.where = f" ({where})" if where else ""
        self.value_file = directory / f"{secret_name}.secret"
        self.keys_file = directory / f"{secret_name}.keys.json"

    async def prepare(self) -> None:
        """Before a password is added: the directory is made and the key ids read, so that a directory that cannot
        be used fails the step while nothing has been added yet."""
        self._made()
        await self.key_ids()

    async def write(self, value: str, key_id: str, expires, tags: dict) -> None:
        self._made()
        held = sorted(await self.key_ids() | {key_id.lower()})
        keys = json.dumps({"keyIds": held, "newest": key_id.lower(), "expires": expires.isoformat(), "tags": tags},
                          indent=2).encode()
        staged = []  # both written whole before either takes its place: a full disk changes neither
        try:
            staged.append(self._staged(self.value_file, value.encode(), "writing the value of"))
            staged.append(self._staged(self.keys_file, keys, "writing the key ids of"))
            self._moved(staged[0], self.value_file, "writing the value of")  # first: a key id is listed only once
            del staged[0]  # its value is written
            try:
                self._moved(staged[0], self.keys_file, "writing the key ids of")
            except VaultError:  # the value is of the password apply now removes: no list may count it as held,
                _discard(self.value_file)  # and without it none is held -- the next plan adds a new one
                raise
            del staged[0]
        finally:
            for temporary in staged:
                _discard(temporary)  # a staged value never stays behind

    async def key_ids(self) -> set[str]:
        """The key ids with a copy here: those the key list names, while the value file exists (without it nobody
        can read a value here, and the next plan adds a new one)."""
        try:
            listed = jsonread.loads(self.keys_file.read_text(encoding="utf-8"))["keyIds"]
            valued = self.value_file.is_file()
        except FileNotFoundError:
            return set()  # none written yet
        except OSError as error:
            raise self._failed("reading the key ids of", self.keys_file, error) from None
        except (ValueError, KeyError, TypeError):
            listed = None  # not what idamconf writes: said, and never overwritten
        if not isinstance(listed, list) or not all(isinstance(key, str) for key in listed):
            raise VaultError(f"reading the key ids of secret {self.secret_name} ({self.keys_file}) failed: it is not "
                             f"the list of key ids idamconf writes{self.where}", f"delete {self.keys_file}: the "
                             "next apply then adds a new secret, and removes the others once their overlap is over")
        return {key.lower() for key in listed} if valued else set()

    async def retire(self, key_id: str) -> None:
        return None  # the file holds only the newest value: a removed one is not in it

    async def close(self) -> None:
        return None

    def _made(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise self._failed("making the directory of", self.directory, error) from None

    def _staged(self, path: Path, content: bytes, doing: str) -> Path:
        """`content` in a new file of mode 0600 beside `path`, to be renamed over it."""
        temporary = path.with_name(path.name + ".tmp")
        try:
            temporary.unlink(missing_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise self._failed(doing, path, error) from None
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
        except OSError as error:
            _discard(temporary)  # part of a value, perhaps
            raise self._failed(doing, path, error) from None
        return temporary

    def _moved(self, temporary: Path, path: Path, doing: str) -> None:
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise self._failed(doing, path, error) from None

    def _failed(self, doing: str, path: Path, error: OSError) -> VaultError:
        culprit = Path(error.filename2 or error.filename or path) if error.errno == errno.EISDIR else path
        return VaultError(f"{doing} secret {self.secret_name} ({path}) failed: {error.strerror or error}{self.where}",
                          _fix(error.errno, culprit, self.directory))


def _fix(code: int | None, path: Path, directory: Path) -> str:
    """How to fix a file system's refusal, by its error number."""
    if code in (errno.EACCES, errno.EPERM):
        return f"let this user read and write {directory}, or point secretFiles at a directory of its own"
    if code == errno.EROFS:
        return f"{directory} is on a read-only file system: point secretFiles at a writable directory"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"free space on the disk holding {directory}, or point secretFiles at another disk"
    if code == errno.EISDIR:
        return f"{path} is a directory where idamconf keeps a file: move it away"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"{directory}, or a directory above it, is a file: move it away or point secretFiles at a directory"
    return f"check {path} and its directory, or point secretFiles at another directory"


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # (said by the failure that led here)
