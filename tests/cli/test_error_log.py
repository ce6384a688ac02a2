"""An unexpected failure's log is a new private file every time (issue 23): never a fixed name in the shared
temporary directory, which another user could plant as a link to a file of theirs (written through, or read)."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import types

import pytest

from idamconf import commands


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def failing_command(monkeypatch):
    """A command that fails as no one expected."""
    module = types.ModuleType("idamconf.commands.failing")
    module.run = lambda: (_ for _ in ()).throw(RuntimeError("something no one expected"))
    monkeypatch.setitem(sys.modules, "idamconf.commands.failing", module)


def logs_named(err: str) -> list[str]:
    return [line.split("(details in ", 1)[1].rstrip(")") for line in err.splitlines() if "(details in " in line]


def test_each_failure_gets_a_new_private_log(own_tmp, failing_command, capsys):
    planted = own_tmp / "idamconf-error.log"  # the old fixed name, planted as a link to someone else's file
    victim = own_tmp / "victim.txt"
    victim.write_text("theirs\n")
    planted.symlink_to(victim)
    assert commands.run_command("failing") == 1
    assert commands.run_command("failing") == 1
    err = capsys.readouterr().err
    assert "error: unexpected RuntimeError: something no one expected" in err
    first, second = logs_named(err)
    assert first != second
    for log in (first, second):
        status = os.lstat(log)
        assert stat.S_ISREG(status.st_mode) and stat.S_IMODE(status.st_mode) == 0o600
        assert os.path.dirname(log) == str(own_tmp) and os.path.basename(log).startswith("idamconf-error-")
        assert "RuntimeError: something no one expected" in open(log, encoding="utf-8").read()
    assert victim.read_text() == "theirs\n" and planted.is_symlink()
