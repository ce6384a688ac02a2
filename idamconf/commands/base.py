"""`plan --base REF`: the configuration as it is at a git ref -- the pull request's base, which the pipeline applied
when it was merged -- to show drift apart (plan/drift.py).

The files are taken from git's object store (`git archive` of the ref, into a temporary directory: nothing in the
working tree is touched) and read as `validate` reads them, confinement included: a base that links outside the
configuration is refused like any other. The ref is resolved as `--changed-since`'s is, never read as an option.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from ..config.load import read
from ..diagnostics import Diagnostic, DiagnosticError, errors
from ..escape import terminal
from ..plan.drift import Base
from .changed import commit_of, git

_REFUSED = getattr(tarfile, "FilterError", ())  # what the "data" filter refuses (Python 3.11.4 on; before: skipped)


def base_at(config_dir: Path, ref: str, known=None) -> Base | None:
    """The configuration at `ref`, or None (said on stderr) when it does not validate there: drift is then not
    shown apart, and the plan is the same. `known`: what validate found (config/known_files.py), to read less."""
    root = Path(config_dir).resolve()
    commit = commit_of(root, ref, "--base")
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    inside = root.relative_to(top.resolve()).as_posix()
    label = f"{ref} ({commit[:7]})"
    with tempfile.TemporaryDirectory(prefix="idamconf-base-") as directory:
        try:
            _extract(top, commit, inside, Path(directory))
        except _REFUSED as error:  # a link leading outside: refused as the loader refuses one, never a traceback
            print(f"warning: the configuration at {terminal(label)} holds a link leading outside it "
                  f"({terminal(str(error.tarinfo.name))}), so drift is not shown apart.", file=sys.stderr)
            return None
        configuration, problems = read(Path(directory) / inside, known=known)
    if configuration is None or errors(problems):
        print(f"warning: the configuration at {terminal(label)} does not validate, so drift is not shown apart "
              f"({len(errors(problems))} error(s) there).", file=sys.stderr)
        return None
    return Base(configuration, label)


def _extract(top: Path, commit: str, inside: str, directory: Path) -> None:
    """The configuration directory's files at `commit`, as a tar from git, unpacked into `directory`."""
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "--", inside if inside != "." else "."],
                                 cwd=top, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise DiagnosticError([Diagnostic(f"--base: git archive failed: {error}", "pass a ref of this repository, "
                                          "e.g. origin/main (fetch it first)")]) from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 on: links leading outside are refused
            tar.extractall(directory, filter="data")
        else:  # before: regular files and directories only, inside the directory
            tar.extractall(directory, members=[m for m in tar.getmembers() if (m.isfile() or m.isdir())
                                               and not m.name.startswith(("/", "..")) and "/../" not in m.name])
