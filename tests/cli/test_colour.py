"""Colour, one rule for every command that can print it (idamconf/colour.py): plan, drift and apply (their plans)
and emulator serve (its log, which uvicorn colours on a terminal unless told). Each takes `--colour/--no-colour`
(and `--color/--no-color`); without it, colour only on a terminal and never with NO_COLOR set."""

from __future__ import annotations

import io
import sys

import pytest

from idamconf.commands import run_command

from .harness import idamconf

COLOURED = [["plan"], ["drift"], ["apply"], ["emulator", "serve"]]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("command", COLOURED, ids=" ".join)
def test_every_command_that_prints_colour_takes_the_option(command):
    shown = idamconf(*command, "--help")
    assert shown.code == 0
    assert "--colour" in shown.out and "--no-colour" in shown.out and "NO_COLOR" in shown.out


@pytest.fixture
def uvicorn_told(monkeypatch):
    """What emulator serve tells uvicorn (it is not started)."""
    import uvicorn

    told: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: told.append(kwargs))
    return told


@pytest.mark.parametrize("flag, coloured", [("--colour", True), ("--color", True), ("--no-colour", False),
                                            ("--no-color", False)])
def test_emulator_serve_colours_its_log_as_the_flag_says(tmp_path, uvicorn_told, flag, coloured):
    result = idamconf("emulator", "serve", "--port", "8999", "--state", str(tmp_path / "t.db"), flag)
    assert result.code == 0, result.err
    assert [told["use_colors"] for told in uvicorn_told] == [coloured]


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False)])
def test_emulator_serve_colours_its_log_on_a_terminal_unless_no_color(tmp_path, monkeypatch, uvicorn_told, no_color,
                                                                       coloured):
    """Its log goes to stderr: colour when that is a terminal (uvicorn asked stdout, and ignored NO_COLOR)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert run_command("emulator_serve", "127.0.0.1", 8999, tmp_path / "t.db", None) == 0
    assert [told["use_colors"] for told in uvicorn_told] == [coloured]


def test_emulator_serve_piped_is_not_coloured(tmp_path, monkeypatch, uvicorn_told):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", Terminal())  # (its log is on stderr, piped here)
    assert run_command("emulator_serve", "127.0.0.1", 8999, tmp_path / "t.db", None) == 0
    assert [told["use_colors"] for told in uvicorn_told] == [False]
