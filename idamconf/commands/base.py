"""`plan --base REF`: the configuration as it is at a git ref -- the pull request's base, which the pipeline applied
when it was merged -- to show drift apart (plan/drift.py).

The files are taken from git's object store (`git archive` of the ref, into a temporary directory: nothing in the
working tree is touched) and read as `validate` reads them, confinement included: a base that links outside the
configuration is refused like any other. The ref is resolved by the caller as `--changed-since`'s is
(commands/changed.commit_of), never read as an option, and git is given its commit.

A pull request's plan (`--base REF --changed-since REF`, the pipeline's) does not read the base whole
(`base_beside`): every application file the change left alone is, byte for byte, the file the plan reads now, and
so is idamconf.yaml (else, or when either is a link, every application is planned and the base is read whole:
commands/changed.py). Writing 10,000 files out of git only to read them again took seconds (on this project's
CI-like host, 4 s of file creation alone).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from ..config.load import APPLICATIONS_DIR, read
from ..diagnostics import Diagnostic, DiagnosticError, errors
from ..escape import terminal
from ..plan.drift import Base
from .changed import git, name_status, untracked

_REFUSED = getattr(tarfile, "FilterError", ())  # what the "data" filter refuses (Python 3.11.4 on; before: skipped)


def base_beside(config_dir: Path, ref: str, commit: str):
    """`(configuration) -> Base | None`: the configuration at `ref` made from the configuration read now, whose
    applications in the files not changed since `ref` (commands/changed.py) are the base's too. The changed files
    are taken as they were at `ref`, with the rest of the directory then but the other application files (a logo or
    certificate they name), read and checked as validate does, each on its own; the checks across files are made
    over the whole base. None (said on stderr), as `base_at`'s, when it does not validate or links outside
    itself. `commit`: the one `ref` names (commands/changed.commit_of)."""
    root = Path(config_dir).resolve()
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    inside = root.relative_to(top.resolve()).as_posix()
    label = f"{ref} ({commit[:7]})"
    directory = tempfile.TemporaryDirectory(prefix="idamconf-base-")
    prefix = "" if inside == "." else f"{inside}/"
    besides = [path for path in git(top, "ls-tree", "--name-only", "-z", commit, "--", prefix or ".").split("\0")
               if path and path != f"{prefix}{APPLICATIONS_DIR}"]
    listed = name_status(root, commit, APPLICATIONS_DIR)
    then = [path for status, path in listed if status != "A"]
    added = untracked(top, f"{prefix}{APPLICATIONS_DIR}")  # not at `ref` either
    changed = {(top / path).resolve() for path in [path for _, path in listed] + added}
    try:
        _extract(top, commit, besides + then, Path(directory.name))
    except _REFUSED as error:  # said when the base is asked for, as base_at says it
        directory.cleanup()
        refused = error
        return lambda configuration: _outside(label, refused)

    def base(configuration) -> Base | None:
        with directory:
            return _combined(configuration, Path(directory.name) / inside, changed, label)

    return base


def _combined(configuration, there: Path, changed: set[Path], label: str) -> Base | None:
    """The base: the files read from `there` (the changed ones as they were) and the configuration's others (those
    not in `changed`: the paths of the files changed since, resolved)."""
    from dataclasses import replace

    from ..config import semantics, yamlfile
    from ..config.application import read_all
    from ..config.load import PROJECT_FILE, _shown, application_files, project_configuration

    problems = []
    written = yamlfile.load(there / PROJECT_FILE, PROJECT_FILE)[0]  # as now (else the base is read whole)
    project = project_configuration(there, written)
    if project is None:
        return _invalid(label, [Diagnostic(f"{PROJECT_FILE} at {label} is not valid", "")])
    files = read_all([(path, _shown(path)) for path in application_files(there, problems)], project,
                     written.value.get("defaults", {}))
    problems += [problem for found in files for problem in (*found.problems, *found.checks)]
    if not errors(problems):
        unchanged = _none_of(changed)
        applications = [found.application for found in files] + [
            app for app in configuration.applications if unchanged(app.location.file)]
        project = replace(configuration, applications=tuple(applications))
        problems += semantics.check_across(project)
    if errors(problems):
        return _invalid(label, problems)
    return Base(project, label)


def _none_of(changed: set[Path]):
    """`(file) -> bool`: whether an application file, as the loader names it, is none of `changed` (resolved). Its
    directory is resolved once for all the files in it -- each file's own `resolve()` took 0.36 s at 10,000 -- which
    is the file's own resolution here: no application file is a link when the base is made beside the configuration
    (else it is read whole: commands/changed.py)."""
    names = {str(path) for path in changed}
    directories: dict[str, str] = {}

    def unchanged(file: str) -> bool:
        directory, name = os.path.split(file)
        if directory not in directories:
            directories[directory] = os.path.realpath(directory)
        return os.path.join(directories[directory], name) not in names

    return unchanged


def _outside(label: str, error) -> None:
    print(f"warning: the configuration at {terminal(label)} holds a link leading outside it "
          f"({terminal(str(error.tarinfo.name))}), so drift is not shown apart.", file=sys.stderr)
    return None


def _invalid(label: str, problems: list) -> None:
    print(f"warning: the configuration at {terminal(label)} does not validate, so drift is not shown apart "
          f"({len(errors(problems))} error(s) there).", file=sys.stderr)
    return None


def base_at(config_dir: Path, ref: str, commit: str, known=None) -> Base | None:
    """The configuration at `ref`, or None (said on stderr) when it does not validate there: drift is then not
    shown apart, and the plan is the same. `commit`: the one `ref` names (commands/changed.commit_of, which the
    caller asked once for both kinds of base). `known`: what validate found (config/known_files.py), to read less."""
    root = Path(config_dir).resolve()
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    inside = root.relative_to(top.resolve()).as_posix()
    label = f"{ref} ({commit[:7]})"
    with tempfile.TemporaryDirectory(prefix="idamconf-base-") as directory:
        try:
            _extract(top, commit, [inside], Path(directory))
        except _REFUSED as error:  # a link leading outside: refused as the loader refuses one, never a traceback
            return _outside(label, error)
        configuration, problems = read(Path(directory) / inside, known=known, warnings=False)  # (counted only)
    if configuration is None or errors(problems):
        return _invalid(label, problems)
    return Base(configuration, label)


def _extract(top: Path, commit: str, paths: list[str], directory: Path) -> None:
    """These paths of the repository (the configuration directory, or some of its files) at `commit`, as a tar
    from git, unpacked into `directory`."""
    if not paths:
        return
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "--", *paths],
                                 cwd=top, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:  # git's own words, on one line (an object missing)
        said = (os.fsdecode(error.stderr).strip().replace("\n", "; ")
                if isinstance(error, subprocess.CalledProcessError) else error)
        raise DiagnosticError([Diagnostic(f"--base: git archive failed: {said}", "pass a ref of this repository, "
                                          "e.g. origin/main (fetch it first)")]) from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 on: links leading outside are refused
            tar.extractall(directory, filter="data")
        else:  # before: regular files and directories only, inside the directory
            tar.extractall(directory, members=[m for m in tar.getmembers() if (m.isfile() or m.isdir())
                                               and not m.name.startswith(("/", "..")) and "/../" not in m.name])
