"""Whether an application a plan deletes was ever declared by this configuration: its git history says.

A plan deletes every application tagged with the project's tag that the configuration does not declare. One that
this configuration declared once and no longer does is an ordinary decommissioning. One it never declared -- made by
hand, or by another configuration, and tagged `idamconf:<project>` -- is not, and the plan says so loudly
(`warnings`): a reviewer must not read it as the removal of a file from the pull request.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..config.load import APPLICATIONS_DIR


def never_declared(root: Path, names: list[str]) -> list[str] | None:
    """Of `names`, those no commit of this configuration's `applications/` ever added or removed a mention of (git's
    pickaxe, `-S`); None when there is no git history to ask (not a git repository, or git missing)."""
    found = []
    for name in names:
        try:
            done = subprocess.run(["git", "log", "-1", "--format=%H", f"-S{name}", "--", APPLICATIONS_DIR],
                                  cwd=root, capture_output=True, text=True, check=False, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            return None
        if not done.stdout.strip():
            found.append(name)
    return found


def deletion_warnings(root: Path, plan) -> tuple[str, ...]:
    """The plan's warnings about applications it deletes that this configuration never declared."""
    names = sorted({change.application for change in plan.deletions if change.kind == "application"})
    if not names:
        return ()
    strangers = never_declared(Path(root), names)
    if strangers is None:
        return (f"this plan deletes {', '.join('app.' + name for name in names)}; whether this configuration ever "
                "declared them cannot be checked (no git history here): make sure they are yours to delete",)
    return tuple(f"this plan deletes app.{name}, which this configuration never declared (not in the git history "
                 f"of its applications/): it was made by hand or by another configuration, and tagged "
                 f"idamconf:{plan.project}. Make sure it is this project's to delete." for name in strangers)
