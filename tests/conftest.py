"""Shared fixtures. An autouse guard fails any test that opens a connection to a host other than loopback."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _is_loopback(address) -> bool:
    if isinstance(address, tuple):
        host = address[0]
    else:
        return True  # unix sockets
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self, address):
        if not _is_loopback(address):
            pytest.fail(f"test tried to reach {address}: tests may reach loopback only")
        return real_connect(self, address)

    def guarded_ex(self, address):
        if not _is_loopback(address):
            pytest.fail(f"test tried to reach {address}: tests may reach loopback only")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of examples/ (idamconf.yaml, applications/, emulator seed) with a fresh embedded tenant."""
    target = tmp_path / "config"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".idamconf", "ci"))
    return target
