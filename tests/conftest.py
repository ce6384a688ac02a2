"""Shared fixtures. An autouse guard fails any test that opens a connection to a host other than loopback; another
hands the emulator RSA keys made before; `applied` gives a project whose tenant already holds examples/."""

from __future__ import annotations

import ipaddress
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
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


_APPLIED_TEMPLATE: list[Path] = []  # examples/, applied once for the test run


@pytest.fixture
def applied(project, tmp_path_factory) -> Path:
    """`project` with examples/ already applied to its tenant, as `apply(project)` leaves it.

    Some 150 tests start from that state, and an apply of examples/ is ~0.5 s of CPU: so the tenant is applied once
    for the test run, by the real command in a process of its own (its own RSA keys and a clean environment, so no
    test's patches or faults shape it), and each test gets a copy of its state. The copy differs from a fresh apply
    only in its object ids and creation times, which are then the same for every test; no test sees another's
    tenant. The project's record names the directory it manages (record/home.py); in the copy it names the
    test's own. A test that checks that first apply itself (its output, its requests, under faults) applies for
    itself.

    Under mutmut each test applies for itself: mutmut learns which tests reach a function by tracing them in its own
    process, and forks its runs from a process that may already hold a template made by the code unmutated."""
    from tests.cli.harness import apply

    if under_mutmut():
        assert apply(project).code == 0
        return project
    if not _APPLIED_TEMPLATE:
        _APPLIED_TEMPLATE.append(_applied_examples(tmp_path_factory))
    template = _APPLIED_TEMPLATE[0]
    shutil.copytree(template / ".idamconf", project / ".idamconf")
    old, new = (f"local:{where.resolve().as_posix()}\\\"" for where in (template, project))  # in the notes' JSON
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    try:
        with db:
            db.execute("UPDATE objects SET doc = replace(doc, ?, ?) WHERE instr(doc, ?)", (old, new, old))
        records = db.execute("SELECT count(*) FROM objects WHERE instr(doc, ?)", (new,)).fetchone()[0]
    finally:
        db.close()
    assert records == 1, "the copy's project record does not name the project"
    return project


def under_mutmut() -> bool:
    """A run of mutmut's: its own process, or benchmarks/mutate.py's run of a timed-out mutant again, each naming the
    mutant under test in MUTANT_UNDER_TEST before any test runs. Not mutmut merely imported: benchmarks/mutate.py reads
    mutmut's results through mutmut.stats, and tests/benchmarks/test_mutate_kept.py does so in the suite's own
    workers -- after which, while `"mutmut" in sys.modules` was the test, each later `applied` in that worker applied
    examples/ for itself (~0.25 s of CPU each, against ~0.01 s for the copy; session 52)."""
    return "MUTANT_UNDER_TEST" in os.environ


def _applied_examples(tmp_path_factory) -> Path:
    """examples/ applied by `idamconf apply` in a process of its own: made once in the run's temporary directory,
    which pytest-xdist's workers share, the others waiting on a lock meanwhile."""
    import fcntl

    from tests.cli.harness import EXAMPLES_TO_ADD

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # each worker's basetemp is a directory of the run's
    template = shared / "applied-examples" / "config"
    with open(shared / "applied-examples.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template.parent / "made").exists():
            shutil.rmtree(template.parent, ignore_errors=True)  # a template some worker left half made
            shutil.copytree(EXAMPLES, template, ignore=shutil.ignore_patterns(".idamconf", "ci"))
            environment = {name: value for name, value in os.environ.items() if not name.startswith("IDAMCONF_")}
            done = subprocess.run([sys.executable, "-m", "idamconf", "apply", "-C", str(template), "--auto-approve",
                                   "--no-colour"], cwd=ROOT, env=environment, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == 0 and f"Apply complete: {EXAMPLES_TO_ADD} added" in done.stdout, done.stderr
            (template.parent / "made").touch()
    return template
