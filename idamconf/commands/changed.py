"""`plan --changed-since REF`: the applications whose files changed since a git ref, for large repositories; and
the environments a change touches (`idamconf environments --changed-since REF`)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from ..config import known_files, yamlfile
from ..config.confined import STATE_DIR, inside
from ..config.involved import Focus
from ..config.load import APPLICATIONS_DIR, PROJECT_FILE
from ..diagnostics import Diagnostic, DiagnosticError
from ..escape import terminal


def changed_applications(config_dir: Path, ref: str) -> set[str] | None:
    """Keys (renamedFrom, else name) of the applications whose files were added, changed or removed since `ref`
    (committed or not); None when the change touches everything (`_changed`): idamconf.yaml changed -- every
    application's plan depends on it (defaults, catalogs, environments) --, or another file an application may read,
    or a changed file's key cannot be read, or a link is involved (`_linked`)."""
    return narrowed_to(config_dir, ref, packages=False)[0]


def narrowed_to(config_dir: Path, ref: str, packages: bool = True) -> tuple[set[str] | None, frozenset | None,
                                                                          Focus | None]:
    """What a plan since `ref` is limited to: `changed_applications`, and (`packages`) `earlier_package_names` and
    the plan's focus (config/involved.Focus: those keys, the models of the changed application files as they were
    at `ref`, the sha256 of each as it is now) -- from one look at git."""
    pairs, whole, fresh = _changed(config_dir, ref)
    if whole:
        return None, None, None
    keys = {_key(document) for pair in pairs for document in pair if isinstance(document, dict)} - {None}
    if not packages:
        return keys, None, None
    then, readable = _as_they_were(config_dir, pairs)
    return keys, earlier_package_names(then) if readable else None, Focus(frozenset(keys), tuple(then), fresh)


def changed_documents(config_dir: Path, ref: str, option: str = "--changed-since") -> tuple[list, bool]:
    """The YAML of each application file added, changed or removed since `ref` -- as it is now and as it was then
    (the name or the environments may have changed) -- and whether the change touches everything (`_changed`)."""
    pairs, whole, _ = _changed(config_dir, ref, option)
    return [document for pair in pairs for document in pair if isinstance(document, dict)], whole


def earlier_package_names(then: list) -> frozenset[str]:
    """The names the changed application files (`then`: their models at the ref) gave their access packages, in any
    environment (a package of their own: its earlier names too). A pull request's plan reads packages by name
    (graph/read_changed.py): one the change removes or renames is found by these, and its deletion shows."""
    return frozenset(name for app in then for variant in (app, *app.variants.values())
                     for package in variant.packages for name in (package.name, package.renamed_from) if name)


def _as_they_were(config_dir: Path, pairs: list) -> tuple[list, bool]:
    """The models of the changed application files (`pairs`: `_changed`'s) as they were at the ref, and whether
    each read as an application then (else its packages are unknown: the plan then reads every package, as the
    full plan does)."""
    from ..config import schema
    from ..config.application import unchecked
    from ..config.yamlfile import Document

    root = Path(config_dir).resolve()
    defaults = (_document_at(root, PROJECT_FILE, None, project=True) or {}).get("defaults") or {}
    documents = [Document("(at the ref)", then) for then, _ in pairs if then is not None]  # (added since: none)
    valid = [document for document in documents
             if isinstance(document.value, dict) and not schema.validate(document, "application")]
    return [unchecked(document, defaults) for document in valid], len(valid) == len(documents)


def validated_files(config_dir: Path) -> known_files.Known | None:
    """`kept_files` for a plan of the whole configuration, which needs no git otherwise: where validate kept nothing,
    git is not asked (nor is anything said about what it tracks); where git cannot say what it tracks (not a
    repository, or no git), nothing validate kept is read -- a forged file could not be told apart."""
    if not (Path(config_dir).resolve() / known_files.FILE).exists():
        return None
    try:
        return kept_files(config_dir)
    except DiagnosticError:  # git could not say what it tracks
        return None


def kept_files(config_dir: Path) -> known_files.Known | None:
    """What validate found (config/known_files.py), unless git tracks anything in the directory it is kept in:
    then a commit could have made it, and a pull request could have (said, and not read); nor where git does not
    hold the configuration (its idamconf.yaml not tracked: copied or unpacked into a checkout, its `.idamconf/` may
    have come with it, as outside a repository -- commands/changed.validated_files). Asked in any case and of
    any name beginning so (on a file system that ignores case `.IDAMCONF/` is `.idamconf/`; Windows drops a
    trailing dot), so that a submodule there counts too."""
    root = Path(config_dir).resolve()
    state = (f":(icase){STATE_DIR}", f":(icase,glob){STATE_DIR}*/**")
    listed = git(root, "ls-files", "--", f":(literal){PROJECT_FILE}", *state).splitlines()
    tracked = [path for path in listed if path != PROJECT_FILE]
    if not tracked:  # (and not of a configuration git does not hold: it says nothing of where .idamconf/ came from)
        return known_files.load(root) if PROJECT_FILE in listed else None
    print(f"idamconf: git tracks {terminal(tracked[0])}, so what validate kept in {STATE_DIR}/ is not used: a commit "
          f"could forge it (keep {STATE_DIR}/ out of git: git rm -r --cached {STATE_DIR})", file=sys.stderr)
    return None


def _changed(config_dir: Path, ref: str, option: str = "--changed-since") -> tuple[list, bool, frozenset]:
    """(as it was at `ref`, as it is now) for each application file changed since (None: not there then, or not
    now), whether every application is to be planned, and the sha256 of each changed application file's content
    now (never taken from what validate kept: config/involved.Focus.fresh). Every application is planned when
    idamconf.yaml changed, or a file is a link
    (`_linked`), or an application file's version does not read as an application with a name (its key would be
    unknown: the change would be planned as none), or any other file of the configuration's directory changed -- an
    application may read it (a logo, a certificate, SAML metadata: config/confined.py keeps what they read inside
    the directory), and which one does is told only by reading every file."""
    root = Path(config_dir).resolve()
    ref = commit_of(root, ref, option)
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    documents, whole, fresh = [], False, set()
    for status, path in name_status(root, ref, "."):
        if not _application_file(root, top / path):
            whole = True  # idamconf.yaml, or a file an application may read
            continue
        pair = (_document_at(top, path, ref) if status != "A" else None,  # as it was: it may have changed
                _document_at(top, path, None, fresh) if status != "D" else None)
        whole |= any(document is _UNREADABLE for document in pair)
        documents.append(pair)
    for path in untracked(root, APPLICATIONS_DIR, PROJECT_FILE):
        if not _application_file(root, root / path):
            whole |= path == PROJECT_FILE  # not yet in git (another file: below)
            continue
        document = _document_at(root, path, None, fresh)
        whole |= document is _UNREADABLE
        documents.append((None, document))
    # Other files not in git: those git does not ignore (a new logo not added yet). An ignored one is no pull
    # request's -- a checkout holds none -- and a working copy is full of them (.idamconf/, editors' files, a
    # pipeline's plans): counted, every pull request would be planned whole.
    whole |= any(not _application_file(root, root / path) and not _state(path)
                 for path in untracked(root, ".", ignored=False))
    return documents, whole or _linked(root, ref), frozenset(fresh)


def uncommitted(config_dir: Path) -> list[str] | None:
    """The configuration's files that differ from git's HEAD -- changed, staged or not, or new and not ignored --
    relative to the directory (idamconf's own state left out); None where git cannot say (no repository, no git)."""
    root = Path(config_dir).resolve()
    try:
        changed = git(root, "diff", "--name-only", "--relative", "-z", "HEAD", "--", ".").split("\0")
        found = changed + untracked(root, ".", ignored=False)
    except DiagnosticError:
        return None
    return sorted({path for path in found if path and not _state(path)})


def _application_file(root: Path, path: Path) -> bool:
    """Whether the configuration's loader reads `path` as an application file (config/load.application_files):
    below applications/, named *.yaml or *.yml, with no hidden part."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    return len(parts) > 1 and parts[0] == APPLICATIONS_DIR and path.suffix in (".yaml", ".yml") and \
        not any(part.startswith(".") for part in parts)


def _state(path: str) -> bool:
    """Whether an untracked file is idamconf's own state (.idamconf/: the emulator's, validate's, the plans'
    records), which no plan reads as configuration."""
    return Path(path).parts[0].lower() == STATE_DIR


def name_status(root: Path, commit: str, *paths: str) -> list[tuple[str, str]]:
    """(status, path from the repository's top) of each file of `paths` that differs between `commit` and the
    working tree, a rename as a deletion and an addition. -z: every name as it is (else git quotes one holding '"',
    '\\' or a control character, and it is found nowhere)."""
    named = git(root, "diff", "--name-status", "--no-renames", "-z", commit, "--", *paths).split("\0")
    return list(zip(named[::2], named[1::2]))  # status, path, status, path, ..., ""


def untracked(cwd: Path, *paths: str, ignored: bool = True) -> list[str]:
    """The files of `paths` git does not track, relative to `cwd`: ignored ones too, since a plan reads them -- unless
    `ignored` is False."""
    excluded = () if ignored else ("--exclude-standard",)
    return [path for path in git(cwd, "ls-files", "-z", "--others", *excluded, "--", *paths).split("\0") if path]


def _linked(root: Path, ref: str) -> bool:
    """Whether idamconf.yaml or an application file is a link, now or at `ref` (inside the configuration, as the
    loader allows): what it holds can then change with no path of it listed by git, and git holds of a link only
    where it leads, so the change cannot be told from git's paths and every application is planned."""
    if (root / PROJECT_FILE).is_symlink() or _links_below(str(root / APPLICATIONS_DIR)):
        return True
    then = git(root, "ls-tree", "-r", "-z", ref, "--", APPLICATIONS_DIR, PROJECT_FILE)
    return any(entry.startswith("120000 ") for entry in then.split("\0"))


def _links_below(directory: str) -> bool:
    """Whether an application file below `directory` (a linked directory is not descended into, as the loader does
    not) is a link. os.scandir knows each entry's type from the directory itself: no system call per file (10,000
    files: 0.11 s with one lstat each, on this project's machine)."""
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.endswith((".yaml", ".yml")) and entry.is_symlink():
                    return True
                if entry.is_dir(follow_symlinks=False) and _links_below(entry.path):
                    return True
    except OSError:  # no such directory (a configuration of idamconf.yaml alone)
        return False
    return False


def commit_of(root: Path, ref: str, option: str = "--changed-since") -> str:
    """The commit `ref` names, as a full hash: what is passed on to git, so that no ref is ever read as an option
    (`--changed-since=--output=FILE` would have git write FILE). A ref beginning with '-' is refused outright, and
    the rest are looked up after --end-of-options."""
    if not ref or ref.startswith("-"):
        raise DiagnosticError([Diagnostic(f"{option}: a git ref cannot be empty or begin with '-'",
                                          "pass a branch, tag or commit, e.g. origin/main")])
    found = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", missing=ref,
                option=option)
    return found.strip()


_UNREADABLE = object()  # `_document_at`: a version that does not read as an application with a name


def _document_at(base: Path, path: str, ref: str | None, digests: set | None = None, project: bool = False):
    """A file's YAML value, now or as it was at `ref`, read as the configuration's loader reads it (config/yamlfile:
    the same tags, the same refusals); `_UNREADABLE` if it cannot be read, or is not a mapping with a name
    (`project`: idamconf.yaml's value, or None). `digests`: the sha256 of the content read now is added to it."""
    if not ref and not inside(base, base / path):
        return None if project else _UNREADABLE  # a link leading outside: never read (the loader refuses it)
    try:
        if ref:
            text = git(base, "show", f"{ref}:{path}")
        else:
            content = yamlfile.read_bytes(base / path)
            if digests is not None:
                digests.add(hashlib.sha256(content).digest())
            text = content.decode("utf-8")
    except (OSError, UnicodeDecodeError, DiagnosticError):
        return None if project else _UNREADABLE
    document, _ = yamlfile.parse(text, path)
    value = document.value if document is not None else None
    if project:
        return value if isinstance(value, dict) else None
    return value if isinstance(value, dict) and _key(value) is not None else _UNREADABLE


def _key(document: dict) -> str | None:
    """An application's key (config/model.Application.key): its renamedFrom, else its name."""
    key = document.get("renamedFrom") or document.get("name")
    return key if isinstance(key, str) else None


def git(cwd: Path, *args: str, missing: str | None = None, option: str = "--changed-since") -> str:
    try:
        # names as they are on disk: bytes that are not UTF-8 kept as Python keeps them in a path (os.fsdecode)
        result = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True,
                                encoding="utf-8", errors="surrogateescape", check=False)
    except OSError as error:
        raise DiagnosticError([Diagnostic(f"cannot run git: {error}", f"install git, or plan without "
                                          f"{option}")]) from None
    if result.returncode != 0 and missing is not None:
        raise DiagnosticError([Diagnostic(f"{option}: no commit named '{missing}' in this repository",
                                          "pass a ref that exists here, e.g. origin/main (fetch it first)")])
    if result.returncode != 0:
        raise DiagnosticError([Diagnostic(f"git {' '.join(args[:2])} failed: {result.stderr.strip()}",
                                          "pass a ref that exists in this repository, e.g. origin/main")])
    return result.stdout
