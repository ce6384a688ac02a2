"""`emulator serve` on a port it cannot listen on -- in use, or out of range -- says so with a fix and exits 1,
before the tenant is opened (no state file made): uvicorn's own answer was a log line and exit 3 for a port in use,
and a traceback for one out of range."""

from __future__ import annotations

import socket

import pytest

from tests.cli.harness import idamconf


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _refused(result, reason: str, state) -> None:
    shown = result.out + result.err
    assert "Traceback" not in shown and "unexpected" not in shown, shown
    assert result.code == 1, shown
    assert "Graph emulator at" not in result.out, result.out
    assert reason in result.err and "fix: choose another --port" in result.err, result.err
    assert not state.exists()


def test_a_port_in_use_is_refused_before_the_tenant_is_opened(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = idamconf("emulator", "serve", "--port", str(port), "--state", str(tmp_path / "t.db"))
    _refused(result, f"error: cannot listen on 127.0.0.1 port {port}: Address already in use", tmp_path / "t.db")


@pytest.mark.parametrize("port", ["0", "65536", "99999", "-5"])
def test_a_port_out_of_range_is_refused(tmp_path, port):
    result = idamconf("emulator", "serve", "--port", port, "--state", str(tmp_path / "t.db"))
    _refused(result, f"port {port}: a port is a number from 1 to 65535", tmp_path / "t.db")
