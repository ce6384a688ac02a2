"""Secret hygiene for the client secrets idamconf itself adds (issue 19): with a canary as the value Graph returns
from addPassword, the secret is in the vault -- and nowhere else: not in any output format of plan, apply or the
credentials report, a saved plan, a record logged at DEBUG, an error message or an exception's text (a vault that
refuses the write, an apply killed before it), or any file under the configuration directory or the temporary
directory but the emulated vault's own (tests/reliability/test_canary.py has the other sources of secrets)."""

from __future__ import annotations

import datetime as _dt

import pytest

from idamconf import clock
from idamconf.emulator import credentials, keyvault
from idamconf.vault.sinks import KeyVaultSink
from tests.cli.harness import apply, idamconf, plan

from .test_canary import FORMATS, Evidence, debug_log, new_canary, own_tmp, snapshot  # noqa: F401 - fixtures

VAULT_FILES = ".idamconf/local.vault.db"


class Killed(BaseException):
    pass


@pytest.fixture
def canary(monkeypatch) -> str:
    value = new_canary()
    monkeypatch.setattr(credentials, "_new_secret", lambda: value)
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))
    return value


def run(evidence: Evidence, name: str, result) -> None:
    evidence.add(f"{name} stdout", result.out)
    evidence.add(f"{name} stderr", result.err)


def test_the_secret_is_in_the_vault_and_nowhere_else(project, tmp_path, canary, own_tmp, debug_log, monkeypatch):
    evidence = Evidence(canary)
    for form in FORMATS:  # plans before, the apply that adds it, and plans after, in every format, saved too
        run(evidence, f"plan {form}", plan(project, "--format", form, "--out", str(tmp_path / f"before-{form}.json")))
    first = apply(project, "--format", "json")
    assert first.code == 0, first.err
    run(evidence, "apply json", first)
    clock.advance(days=151)  # within rotateBeforeDays: a new secret is added and written
    for form in FORMATS:
        saved = tmp_path / f"rotation-{form}.json"
        run(evidence, f"rotation plan {form}", plan(project, "--format", form, "--out", str(saved)))
    rotated = apply(project, str(tmp_path / "rotation-human.json"))
    assert rotated.code == 0, rotated.err
    run(evidence, "rotation apply", rotated)
    for form in FORMATS:
        run(evidence, f"report {form}", idamconf("credentials", "report", "-C", str(project), "--format", form))
    # a vault that refuses the write: the error message and the exception's text
    clock.advance(days=151)
    real_set = keyvault._set
    monkeypatch.setattr(keyvault, "_set", lambda *args: keyvault._json(403, {"error": {
        "code": "Forbidden", "message": "The user does not have secrets set permission on key vault."}}))
    refused = apply(project, "--format", "json")
    assert refused.code == 1 and "Forbidden" in refused.out and "removed again" in refused.out
    run(evidence, "refused apply", refused)
    monkeypatch.setattr(keyvault, "_set", real_set)
    monkeypatch.setattr(KeyVaultSink, "write", _killed)
    with pytest.raises(Killed) as killed:  # killed between addPassword and the vault write
        apply(project)
    evidence.add("killed apply's exception", f"{killed.value!r} {killed.value}")
    evidence.add("log", debug_log.text)
    assert "contoso-expenses.vault" in debug_log.text, "the vault's requests were not logged: the log check is vacuous"
    evidence.add_files(tmp_path, label="tmp_path/")
    vault = {where: content for where, content in evidence.places.items() if VAULT_FILES in where}
    for where in vault:
        del evidence.places[where]
    assert any(canary.encode() in content for content in vault.values()), "the vault holds no copy: test is vacuous"
    assert any(where.endswith("local.db") for where in evidence.places), "the tenant's own state was not checked"
    assert evidence.leaks() == []


async def _killed(self, value, key_id, expires, tags):
    raise Killed()
