"""An emulated tenant's state file that cannot hold a tenant -- another program's file, a damaged database, a
directory -- is refused as a diagnostic naming the file and what to do, exit 1, the file left as it was, by every
command that opens one (it was an 'unexpected DatabaseError' or 'IsADirectoryError' with a traceback in a log)."""

from __future__ import annotations

import os

import pytest

from tests.bad_inputs.test_serve_ports import free_port
from tests.cli.harness import idamconf

STATE = ".idamconf/local.db"
OPENING = [("plan",), ("apply", "--auto-approve"), ("drift",), ("show", "wordpress"),
           ("emulator", "seed", "{project}/emulator/directory.yaml"),
           ("emulator", "token", "--app", "expenses", "--user", "frank.audit@contoso.com")]


def _in(project, command: tuple) -> list[str]:
    return [part.format(project=project) for part in command]


def _refused(result, named: str, reason: str) -> None:
    shown = result.out + result.err
    assert "Traceback" not in shown and "unexpected" not in shown and "idamconf-error-" not in shown, shown
    assert result.code == 1, shown
    assert f"{named}: error: cannot be used as an emulated tenant's state: {reason}" in result.err, result.err
    assert "fix: " in result.err, result.err


@pytest.mark.parametrize("command", OPENING, ids=" ".join)
def test_a_state_file_that_is_not_a_database_is_refused_and_left_as_it_is(project, command):
    state = project / STATE
    state.parent.mkdir()
    state.write_bytes(b"notes of another program\n")
    result = idamconf(*_in(project, command), "-C", str(project))
    _refused(result, str(state), "file is not a database")
    assert "emulator reset" in result.err
    assert state.read_bytes() == b"notes of another program\n"


def test_a_served_state_file_that_is_not_a_database_is_refused(tmp_path):
    state = tmp_path / "tenant.db"
    state.write_bytes(b"\0" * 4096)
    _refused(idamconf("emulator", "serve", "--state", str(state), "--port", str(free_port())), str(state),
             "file is not a database")


@pytest.mark.parametrize("command", [*OPENING, ("emulator", "reset")], ids=" ".join)
def test_a_state_that_is_a_directory_is_refused_and_kept(project, command):
    (project / STATE).mkdir(parents=True)
    (project / STATE / "kept").write_text("kept")
    _refused(idamconf(*_in(project, command), "-C", str(project)), str(project / STATE), "it is a directory")
    assert (project / STATE / "kept").read_text() == "kept"


def test_a_vault_state_that_is_a_directory_is_refused(project):
    vault = project / ".idamconf" / "local.vault.db"
    vault.mkdir(parents=True)
    _refused(idamconf("apply", "-C", str(project), "--auto-approve"), str(vault), "it is a directory")
    assert vault.is_dir()


def test_a_state_file_under_a_file_is_refused(project, tmp_path):
    (tmp_path / "a-file").write_text("x")
    state = tmp_path / "a-file" / "tenant.db"
    _refused(idamconf("emulator", "seed", str(project / "emulator" / "directory.yaml"), "-C", str(project), "--state", str(state)),
             str(state), "")
    assert (tmp_path / "a-file").read_text() == "x"


@pytest.mark.parametrize("kind", ["a text file", "a FIFO", "its vault a text file"])
def test_reset_deletes_by_state_only_a_state(project, tmp_path, kind):
    """--state is typed by hand: a slip naming a file of one's own deleted it (or a FIFO). Only an SQLite database
    (or an empty file) is deleted; anything else is refused, before anything is, and kept."""
    named = tmp_path / "notes.txt"
    kept = named.with_name("notes.vault.db") if kind == "its vault a text file" else named
    if kind == "a FIFO":
        os.mkfifo(named)
    else:
        kept.write_text("my notes\n")
    result = idamconf("emulator", "reset", "--state", str(named))
    reason = "it is not a regular file" if kind == "a FIFO" else "it is not an SQLite database"
    _refused(result, str(kept), f"{reason}, so reset does not delete it")
    assert kept.exists() and (kind == "a FIFO" or kept.read_text() == "my notes\n")


def test_reset_by_state_deletes_a_state(project):
    assert idamconf("apply", "-C", str(project), "--auto-approve").code == 0
    state = project / STATE
    result = idamconf("emulator", "reset", "--state", str(state))
    assert result.code == 0, result.err
    assert not state.exists() and not state.with_name("local.vault.db").exists()
