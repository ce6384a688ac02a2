"""Shared fixtures. An autouse guard fails any test that opens a connection to a host other than loopback; another
hands the emulator RSA keys made before."""

from __future__ import annotations

import ipaddress
import itertools
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


_RSA_KEYS: list = []  # made in this test process, for every test


@pytest.fixture(autouse=True)
def rsa_keys_made_before(monkeypatch):
    """Making a 2048-bit RSA key costs ~50 ms of CPU, and the suite's emulated tenants asked for ~700 of them
    (examples/ has two SAML applications, each given a signing certificate, and hundreds of tests apply it): a
    tenth of the suite's CPU. So the emulator's keys come from a list kept for the test process: a test's n-th key
    is the list's n-th, made the first time a test asks for it. Within a test every key is a new one, as in Entra,
    in all its tenants; only separate tests share keys, and no test sees another's tenants."""
    from idamconf.emulator.identity import keys

    make, drawn = keys.new_rsa_key, itertools.count()

    def made_before():
        n = next(drawn)
        while len(_RSA_KEYS) <= n:
            _RSA_KEYS.append(make())
        return _RSA_KEYS[n]

    monkeypatch.setattr(keys, "new_rsa_key", made_before)
