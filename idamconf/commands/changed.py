"""`plan --changed-since REF`: the applications whose files changed since a git ref, for large repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from ..config.confined import inside
from ..config.load import APPLICATIONS_DIR
from ..diagnostics import Diagnostic, DiagnosticError


def changed_applications(config_dir: Path, ref: str) -> set[str]:
    """Names of the applications whose files were added, changed or removed since `ref` (committed or not)."""
    root = Path(config_dir).resolve()
    ref = _commit(root, ref)
    listed = _git(root, "diff", "--name-status", "--no-renames", ref, "--", APPLICATIONS_DIR)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--", APPLICATIONS_DIR)
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    names = set()
    for line in listed.splitlines():
        status, path = line.split("\t", 1)
        names.add(_name_at(top, path, ref) if status != "A" else None)  # the name it had: it may have changed
        names.add(_name_at(top, path, None) if status != "D" else None)
    for path in untracked.splitlines():
        names.add(_name_at(root, path, None))
    return {name for name in names if name}


def _commit(root: Path, ref: str) -> str:
    """The commit `ref` names, as a full hash: what is passed on to git, so that no ref is ever read as an option
    (`--changed-since=--output=FILE` would have git write FILE). A ref beginning with '-' is refused outright, and
    the rest are looked up after --end-of-options."""
    if not ref or ref.startswith("-"):
        raise DiagnosticError([Diagnostic("--changed-since: a git ref cannot be empty or begin with '-'",
                                          "pass a branch, tag or commit, e.g. origin/main")])
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", missing=ref)
    return found.strip()


def _name_at(base: Path, path: str, ref: str | None) -> str | None:
    """The `name:` of an application file, now or (for a removed file) as it was at `ref`."""
    if not path.endswith((".yaml", ".yml")):
        return None
    if not ref and not inside(base, base / path):
        return None  # a link leading outside: never read (the configuration's loader refuses it)
    try:
        text = _git(base, "show", f"{ref}:{path}") if ref else (base / path).read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except (OSError, yaml.YAMLError, DiagnosticError):
        return None
    return document.get("name") if isinstance(document, dict) else None


def _git(cwd: Path, *args: str, missing: str | None = None) -> str:
    try:
        result = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True, text=True,
                                check=False)
    except OSError as error:
        raise DiagnosticError([Diagnostic(f"cannot run git: {error}", "install git, or plan without "
                                          "--changed-since")]) from None
    if result.returncode != 0 and missing is not None:
        raise DiagnosticError([Diagnostic(f"--changed-since: no commit named '{missing}' in this repository",
                                          "pass a ref that exists here, e.g. origin/main (fetch it first)")])
    if result.returncode != 0:
        raise DiagnosticError([Diagnostic(f"git {' '.join(args[:2])} failed: {result.stderr.strip()}",
                                          "pass a ref that exists in this repository, e.g. origin/main")])
    return result.stdout
