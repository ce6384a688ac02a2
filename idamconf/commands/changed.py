"""`plan --changed-since REF`: the applications whose files changed since a git ref, for large repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from ..config.load import APPLICATIONS_DIR
from ..diagnostics import Diagnostic, DiagnosticError


def changed_applications(config_dir: Path, ref: str) -> set[str]:
    """Names of the applications whose files were added, changed or removed since `ref` (committed or not)."""
    root = Path(config_dir).resolve()
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


def _name_at(base: Path, path: str, ref: str | None) -> str | None:
    """The `name:` of an application file, now or (for a removed file) as it was at `ref`."""
    if not path.endswith((".yaml", ".yml")):
        return None
    try:
        text = _git(base, "show", f"{ref}:{path}") if ref else (base / path).read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except (OSError, yaml.YAMLError, DiagnosticError):
        return None
    return document.get("name") if isinstance(document, dict) else None


def _git(cwd: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True, text=True,
                                check=False)
    except OSError as error:
        raise DiagnosticError([Diagnostic(f"cannot run git: {error}", "install git, or plan without "
                                          "--changed-since")]) from None
    if result.returncode != 0:
        raise DiagnosticError([Diagnostic(f"git {' '.join(args[:2])} failed: {result.stderr.strip()}",
                                          "pass a ref that exists in this repository, e.g. origin/main")])
    return result.stdout
