"""Application files `idamconf validate` found valid, kept for the plans that follow.

A pull request's plan (`plan --changed-since REF`) checks every file as `validate` does -- a configuration with an
error is never planned, and the report is the same -- yet in a configuration of 10,000 files parsing them and
checking them against the schema is most of its time, though the change touched one. So `validate`, when the
whole configuration is valid, writes down each application file's value under the sha256 of its content, and what
the file's own checks (semantics.check_application) found -- nothing, or warnings, each with its line (session 52:
a third of the 10,000 synthetic files warn, and checking them again was most of a pull request's plan); `plan`
takes the value of each file whose content it finds there instead of parsing it, and what its checks found instead
of checking it again. Beside each value validate keeps the file's summary (config/involved.py), and whether the
checks across files found nothing: a pull request's plan then models only the files it needs, with the same answer
(session 52). A plan of the whole configuration takes them too
(session 50): at 10,000 files the files' reading was a third of its CPU, and a plan made again after validate
(an engineer's, at a terminal; a pipeline that validates first) need not parse what did not change. The values'
strings are not interned as the YAML reader's are: that saved a full plan some 17 MB and cost every pull request's
plan ~0.3 s of CPU (docs/performance.md, session 50).

What an entry says is a function of the file's content and of idamconf's own code (`code_digest`: its modules,
its schemas, and the YAML and JSON Schema libraries' versions): a file whose content or code differs is not found,
and is read as always. The own checks' result depends on idamconf.yaml too (environments, rules), so it counts
only under the same idamconf.yaml; and only for files whose checks read nothing but the file
(`semantics.self_contained`: a logo, a certificate or SAML metadata are other files, and a certificate's expiry
depends on the day).

Trust: the file is written only by `validate`, read only by `plan` (never by apply or drift: what is applied was
read from the files themselves, and a saved plan is evidence, never instructions: plan/saved.py), and not read when
git tracks anything under `.idamconf/` (a pull request could otherwise commit one: commands/changed.kept_files), nor
where git cannot say (a configuration outside a repository, or one git does not hold: commands/changed). In a
pipeline, only runs on the protected branch save it (docs/pipelines.md). It is JSON, never unpickled or
unmarshalled: a damaged or foreign file is only not used, and a value the model cannot take is read from its file
instead (config/application.py). A value that models is taken
as it is: checking each against the schema again would cost most of what the cache saves, so the cache is trusted
as far as who can write it (above) -- at worst, a forged one misleads a plan, never an apply; and a pull request's
plan takes from it neither the files the pull request changed nor the applications it plans (config/involved.Focus:
a pipeline restores the cache, and may restore one the pull request's own earlier run saved -- session 53).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from .. import jsonread
from ..diagnostics import Diagnostic
from .confined import STATE_DIR

FILE = Path(STATE_DIR) / "cache" / "application-files"
# The file: a line of JSON (the format, the code's and idamconf.yaml's digests, whether the checks across files found
# nothing), then a line per application file: the sha256 of its content in hex, "1" if what its own checks found is
# kept (else "0"), its summary (config/involved.py) as JSON, separated by one space; then a tab and what its own
# checks found (JSON: each diagnostic's fields but its file, or null), a tab and its value as JSON (JSON holds no raw
# tab). Only the values of the files found are parsed, and each is let go once modelled.
FORMAT = 4
LARGEST = 1 << 30  # bytes: a larger file is not read (10,000 files' values take some 12 MB)
_CODE: list[str] = []  # code_digest(), made once


class Known:
    """The entries of one cache file made by this code, by the hex sha256 of a file's content (bytes). `project`:
    the sha256 of idamconf.yaml's content then, in hex; `checks`: whether the own checks' results count (they do
    only under that idamconf.yaml); `clean`: whether the checks across files found nothing then (config/involved.py
    relies on it)."""

    def __init__(self, lines: dict, project: str, checks: bool = True, clean: bool = False):
        self.lines, self.project, self.checks, self.clean = lines, project, checks, clean

    def under(self, project: bytes) -> "Known":
        """The same, for a configuration whose idamconf.yaml has this sha256."""
        return self if project.hex() == self.project else Known(self.lines, self.project, checks=False)

    @property
    def apart(self) -> bool:
        """Whether kept files are known never to be at odds with each other in this configuration: a plan of some
        applications may then leave most of them unmodelled (config/involved.py)."""
        return self.checks and self.clean

    def take(self, digests: list) -> list:
        """For each sha256 (or None), the entry of the file of this content, or None if it is not here; each entry is
        given once and let go (two files of the same content: the second is read)."""
        return [self.lines.pop(digest.hex().encode(), None) if digest else None for digest in digests]

    def values(self, entries: list) -> list:
        """For each entry of `take` (or None), the file's value, or None. The values are parsed together, so that
        their keys are shared as one file's are; all None when the cache is damaged (every file then read from
        itself)."""
        try:
            values = iter(jsonread.loads(b"[" + b",".join(entry.rpartition(b"\t")[2] for entry in entries
                                                          if entry is not None) + b"]"))
        except ValueError:
            return [None] * len(entries)
        return [None if entry is None else next(values) for entry in entries]

    def findings(self, entries: list) -> list:
        """For each entry (or None), what its own checks found, as validate kept it under this idamconf.yaml (each
        diagnostic's fields but its file: `diagnostics` makes them again), or None: they must be made again (not
        kept, another idamconf.yaml, or damaged)."""
        kept = [entry if entry is not None and self.checks and entry[:1] == b"1" else None for entry in entries]
        try:
            found = iter(jsonread.loads(b"[" + b",".join(entry.split(b"\t", 2)[1] for entry in kept
                                                         if entry is not None) + b"]"))
        except (ValueError, IndexError):
            return [None] * len(kept)
        return [None if entry is None else _findings(next(found)) for entry in kept]

    def summaries(self, entries: list) -> list | None:
        """Each entry's summary (config/involved.py); None when the cache is damaged."""
        try:
            found = jsonread.loads(b"[" + b",".join(entry[2:entry.index(b"\t")] for entry in entries) + b"]")
        except ValueError:
            return None
        return found if all(map(_summary, found)) else None

    def gone(self) -> list:
        """The entries no file took: files validate kept that are no longer there, or changed since."""
        return list(self.lines.values())


FIELDS = {"summary": str, "fix": str, "line": int, "column": int, "path": str, "severity": str, "rule": str}


def kept_findings(checks: tuple, shown: str) -> list | None:
    """What a file's own checks found, as the cache keeps it (None: not kept, when a diagnostic names another file)."""
    if any(check.file != shown for check in checks):
        return None
    return [{name: getattr(check, name) for name in FIELDS} for check in checks]


def diagnostics(findings: list, shown: str) -> tuple[Diagnostic, ...]:
    """The diagnostics of a file's kept findings, at the file as it is shown now."""
    return tuple(Diagnostic(**finding, file=shown) for finding in findings)


def _findings(found) -> list | None:
    """`found` if it is a list of findings as `kept_findings` makes them, else None (made again)."""
    if isinstance(found, list) and all(isinstance(each, dict) and each.keys() == FIELDS.keys() and
                                       all(type(each[name]) is kind for name, kind in FIELDS.items()) for each in found):
        return found
    return None


def _summary(found) -> bool:
    """Whether `found` is a summary as config/involved.summary makes it: [name, key, claims, refs, catalogs]."""
    return isinstance(found, list) and len(found) == 5 and isinstance(found[0], str) and isinstance(found[1], str) \
        and all(isinstance(part, list) and all(isinstance(each, str) for each in part) for part in found[2:])


def load(root: Path) -> Known | None:
    """The cache of the configuration at `root` (None if there is none, or it is not for this code)."""
    path = Path(root) / FILE
    try:
        found = path.stat()
        if not _own(Path(root), path) or not stat.S_ISREG(found.st_mode) or found.st_size > LARGEST:
            return None  # (a FIFO would block)
        head, _, body = path.read_bytes().partition(b"\n")
        kept = jsonread.loads(head)
        if kept["format"] != FORMAT or kept["code"] != code_digest() or not isinstance(kept["project"], str):
            return None
    except (OSError, ValueError, KeyError, TypeError):  # none yet, unreadable, damaged, another format
        return None
    return Known({line[:64]: line[65:] for line in body.split(b"\n") if line[64:65] == b" " and b"\t" in line},
                 kept["project"], clean=kept.get("clean") is True)


def save(root: Path, project: bytes, entries: list[tuple[bytes, str, list | None, list]], clean: bool) -> None:
    """Write the cache: `entries`, (a file's sha256, its value as JSON, what its own checks found: `kept_findings`,
    its summary: config/involved.py); `clean`: the checks across files found nothing. Not written where idamconf
    would write through a link (`_own`); a failure to write only leaves it unwritten (it saves work, and nothing
    depends on it)."""
    root = Path(root)
    path = root / FILE
    head = json.dumps({"format": FORMAT, "code": code_digest(), "project": project.hex(), "clean": clean})
    text = "\n".join([head, *(f"{digest.hex()} {int(found is not None)} {_compact(summary)}\t{_compact(found)}\t{value}"
                              for digest, value, found, summary in entries)])
    try:
        if not _own(root, path):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _own(root, path):  # (made meanwhile)
            return
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # (0600, a new name)
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def _own(root: Path, path: Path) -> bool:
    """Whether the cache's directories are idamconf's own, not links (through which it would be read or written
    elsewhere), and the file, if there is one, not a link either."""
    return not any(part.is_symlink() for part in (root / STATE_DIR, path.parent, path))


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encoded(value) -> str | None:
    """A file's value as JSON, if JSON gives back exactly this value (else None: the file is not kept). YAML makes
    what JSON cannot hold (a key that is a number, say), and the schema allows some of it."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == value else None


def code_digest() -> str:
    """What the cache's entries depend on besides the files: idamconf's modules and schemas, the versions of the
    libraries that parse YAML and check the schema, and Python's (whose Unicode data `casefold` follows)."""
    if not _CODE:
        import unicodedata
        from importlib.metadata import version

        import yaml

        package = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256(f"{yaml.__version__} {yaml.__with_libyaml__} {version('jsonschema')} "
                                f"{sys.version_info[:2]} {unicodedata.unidata_version}".encode())
        for path in sorted(package.rglob("*")):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE.append(digest.hexdigest())
    return _CODE[0]
