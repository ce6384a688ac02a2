"""The options that name the user's configuration and environment, as a shell takes them: what a message's command
repeats of the command that was run, so that it works as written from where the user ran idamconf."""

from __future__ import annotations

import shlex
from pathlib import Path


def options(config_dir: str | Path, environment: str | None = None) -> str:
    """` -C DIR -e ENV`, each only when given (`.` is the default directory)."""
    directory = str(config_dir)
    where = f" -C {shlex.quote(directory)}" if directory not in ("", ".") else ""
    return where + (f" -e {shlex.quote(environment)}" if environment else "")
