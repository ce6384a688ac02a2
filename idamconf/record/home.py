"""Where a configuration lives: its repository and its directory inside it, the identity a project is bound to.

A project's record in the tenant (record/record.py) names the configuration that manages it -- its *home* -- so
that another configuration (another repository, another directory, or this one after its `project:` was changed)
cannot take the project over, and delete its applications, without saying so (`--rebind-project`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath


def configuration_home(root: Path) -> str:
    """`<repository>:<directory in it>` -- e.g. `github.com/contoso/identity:teams/hr` -- the same for every clone
    of the repository however it was cloned (https or ssh); `local:<absolute path>` outside git."""
    root = Path(root).resolve()
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return f"local:{root.as_posix()}"
    inside = PurePosixPath(root.relative_to(Path(top).resolve()).as_posix())
    origin = _git(root, "remote", "get-url", "origin")
    return f"{repository(origin) if origin else 'local:' + Path(top).resolve().as_posix()}:{inside}"


def repository(url: str) -> str:
    """A remote's URL without scheme, credentials, `.git` or trailing slash, host lower-cased:
    https://token@GitHub.com/contoso/identity.git and git@github.com:contoso/identity both give
    github.com/contoso/identity."""
    url = url.strip()
    if match := re.match(r"^[\w.-]+@([^:/]+):(.*)$", url):  # scp-like: git@host:path
        host, path = match.groups()
    else:
        url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.I)
        host, _, path = url.partition("/")
        host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    path = re.sub(r"\.git/?$", "", path.strip("/"))
    return f"{host.lower()}/{path}" if host else path


def described(home: str) -> str:
    """A home as people say it: `the directory teams/hr of repository github.com/contoso/identity`, `the directory
    /work/copy` (outside git). Read from a project's record, so the tenant's: the caller escapes it for its output."""
    where, local = (home[len("local:"):], True) if home.startswith("local:") else (home, False)
    top, colon, inside = where.rpartition(":")
    if not colon or not inside or inside.startswith("/") or (local and len(top) < 2):  # (a drive's C:)
        return f"the directory {where}" if local else home  # outside git (or not idamconf's own making)
    repository = f"the git repository at {top} (no remote named origin)" if local else f"repository {top}"
    return repository if inside == "." else f"the directory {inside} of {repository}"


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, encoding="utf-8",  # (paths: as
                              errors="surrogateescape", check=False, timeout=10)  # os.fsdecode gives them)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
