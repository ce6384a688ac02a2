"""Nothing a configuration implies is read, written or deleted outside its directory (issue 23).

A pull request can commit symbolic links: `.idamconf/` (the embedded emulator's state, written by plan and apply and
deleted by `emulator reset`) or one of its state files linked to somewhere else, `idamconf.yaml` or `applications/`
linked out. Each is refused with a diagnostic by every command that would touch it, and the place outside is left
exactly as it was. (Application files and seeds linking out are in the hostile-input corpus, tests/bad_inputs.)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cli.harness import idamconf
from tests.scaffold.test_new_app import FLAGS

SEED = "emulator/directory.yaml"


def contents(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*"))
            if path.is_file()}


@pytest.fixture
def outside(tmp_path) -> Path:
    """Someone else's directory, holding files with the names idamconf would write or delete."""
    directory = tmp_path / "outside"
    directory.mkdir()
    for name in ("local.db", "local.db-wal", "local.db-shm", "idamconf.yaml"):
        (directory / name).write_bytes(b"theirs\n")
    return directory


def commands(project: Path) -> dict[str, list[str]]:
    config = ["-C", str(project)]
    return {"validate": ["validate", *config], "lint": ["lint", *config], "plan": ["plan", *config],
            "apply": ["apply", "--auto-approve", *config], "emulator reset": ["emulator", "reset", *config],
            "emulator seed": ["emulator", "seed", str(project / SEED), *config]}


def test_a_state_directory_linking_outside_is_refused_by_every_command(project, outside):
    os.symlink(outside, project / ".idamconf", target_is_directory=True)
    before = contents(outside)
    for name, arguments in commands(project).items():
        result = idamconf(*arguments)
        assert result.code == 1, f"{name}: exit {result.code}\n{result.out}{result.err}"
        assert ".idamconf: error: the embedded emulator's state directory is a link" in result.out + result.err, name
        assert contents(outside) == before, f"{name} touched {outside}"


@pytest.mark.parametrize("state", ["local.db", "local.db-wal", "local.db-shm", "local.vault.db", "local.vault.db-wal"])
def test_a_state_file_planted_as_a_link_is_refused(project, outside, state):
    """The tenant's state and its vault's (the emulated Key Vault's), each with SQLite's log and shared memory."""
    (outside / state).write_bytes(b"theirs\n")
    (project / ".idamconf").mkdir()
    os.symlink(outside / state, project / ".idamconf" / state)
    before = contents(outside)
    for name, arguments in commands(project).items():
        result = idamconf(*arguments)
        assert result.code == 1, f"{name}: exit {result.code}\n{result.out}{result.err}"
        assert f".idamconf/{state}: error: this state file of the embedded emulator is a link" in \
            result.out + result.err  # (lint's: among its findings, on stdout)
        assert contents(outside) == before, f"{name} touched {outside}"
        assert (project / ".idamconf" / state).is_symlink()


def test_a_project_file_linking_outside_is_not_read(project, outside):
    (outside / "idamconf.yaml").write_text((project / "idamconf.yaml").read_text().replace(
        "project: eucs-idam", "project: someone-elses-project"))
    (project / "idamconf.yaml").unlink()
    os.symlink(outside / "idamconf.yaml", project / "idamconf.yaml")
    for name, arguments in commands(project).items():
        result = idamconf(*arguments)
        assert result.code == 1, name
        assert "idamconf.yaml: error: this file links outside the configuration directory" in \
            result.out + result.err, name
        assert "someone-elses-project" not in result.out + result.err


def test_lint_never_reads_a_project_file_linking_outside(project, outside):
    """lint reads the files' YAML as written (for its security rules) on a path of its own: a linked idamconf.yaml
    is refused there too, so what lies outside -- here a secret -- is neither read nor reported on."""
    (outside / "idamconf.yaml").write_text((project / "idamconf.yaml").read_text() +
                                           "clientSecret: Zx8Q~k3Jd9sLq0wPzR7tYvB2nM5cX1aE4fG6hJ8\n")
    (project / "idamconf.yaml").unlink()
    os.symlink(outside / "idamconf.yaml", project / "idamconf.yaml")
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert "idamconf.yaml: error: this file links outside the configuration directory" in result.out
    assert result.out.splitlines()[-1] == ("lint: 1 error(s), 0 warning(s) (1 of them validate's); of the 15 rules only "
                                           "security.token-lifetime and security.secret-in-file ran, because the "
                                           "configuration has errors (fix those first).")
    assert "[security.secret-in-file]" not in result.out + result.err  # no finding (the summary names the rule)
    assert "Zx8Q" not in result.out + result.err


def test_new_app_never_writes_through_a_linked_applications_directory(project, outside):
    shutil.move(project / "applications", outside / "applications")
    os.symlink(outside / "applications", project / "applications", target_is_directory=True)
    before = contents(outside)
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 1
    assert "applications: error: this directory links outside the configuration directory" in result.err
    assert contents(outside) == before


def test_new_app_never_reads_a_linked_project_file(project, outside):
    (project / "idamconf.yaml").unlink()
    os.symlink(outside / "idamconf.yaml", project / "idamconf.yaml")
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 1 and "idamconf.yaml: error: this file links outside" in result.err
    assert not (project / "applications" / "crm.yaml").exists()


def test_links_inside_the_configuration_are_still_followed(project):
    """A seed reached through a link that stays inside is fine: only leading outside is refused."""
    (project / "fixtures").mkdir()
    shutil.move(project / SEED, project / "fixtures" / "directory.yaml")
    os.symlink(project / "fixtures" / "directory.yaml", project / SEED)
    result = idamconf("plan", "-C", str(project))
    assert result.code == 0, result.err


def test_a_seed_that_cannot_be_resolved_is_refused_unread(project):
    """A loop of links leads nowhere, so it is not inside either: refused at the setting, as one leading out is."""
    (project / SEED).unlink()
    os.symlink(project / "emulator" / "loop.yaml", project / SEED)
    os.symlink(project / SEED, project / "emulator" / "loop.yaml")
    for name, arguments in commands(project).items():
        result = idamconf(*arguments)
        assert result.code == 1, f"{name}: exit {result.code}\n{result.out}{result.err}"
        assert "error: environments.local.seed: the seed file is outside the configuration directory" in \
            result.out + result.err, f"{name}: {result.out}{result.err}"


def test_a_project_file_linking_inside_is_read(project):
    """idamconf.yaml may be a link to a file that stays in the configuration directory (one kept per team)."""
    (project / "teams").mkdir()
    shutil.move(project / "idamconf.yaml", project / "teams" / "idamconf.yaml")
    os.symlink(project / "teams" / "idamconf.yaml", project / "idamconf.yaml")
    for name in ("validate", "plan"):
        result = idamconf(name, "-C", str(project))
        assert result.code == 0, f"{name}: exit {result.code}\n{result.err}"


def test_a_configuration_named_by_a_relative_path_or_through_a_link_reads_its_own_files(project, monkeypatch):
    """The directory is compared as the files are, every link followed: `-C config`, or a link to it, is itself."""
    os.symlink(project, project.parent / "linked", target_is_directory=True)
    monkeypatch.chdir(project.parent)
    for named in (project.name, "linked", str(project.parent / "linked")):
        result = idamconf("plan", "-C", named)
        assert result.code == 0, f"-C {named}: exit {result.code}\n{result.err}"
