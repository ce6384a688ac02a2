"""Secret hygiene in the identity provider's flows (issue 21): the client secret idamconf signs in to a served
emulator with -- right or wrong --, the federated token, and the access tokens the emulator issues never show in
idamconf's output, its DEBUG log, the error log, the files it writes, or the emulated tenant's own state (which keeps
only a digest of each secret).

The evidence and its checks are test_canary.py's."""

from __future__ import annotations

import pytest

from tests.cli.harness import apply, plan
from tests.identity.conftest import served_project
from tests.identity.test_least_privilege import PERMISSIONS
from tests.reliability.test_canary import FORMATS, Evidence, debug_log, new_canary, own_tmp, snapshot  # noqa: F401 - fixtures


def collect(evidence: Evidence, project, before, debug_log, own_tmp, results: dict) -> None:
    for name, result in results.items():
        evidence.add(f"{name} stdout", result.out)
        evidence.add(f"{name} stderr", result.err)
    evidence.add("log", debug_log.text)
    evidence.add_files(own_tmp, label="tmp/")
    evidence.add_files(project, before)
    evidence.add_files(project.parent, label="emulated tenant/")  # served.db (+ -wal), its TLS files, the token


@pytest.mark.parametrize("credential", ["client-secret", "workload-identity"])
def test_the_secret_and_tokens_of_a_real_sign_in_never_show(project, monkeypatch, debug_log, own_tmp, tmp_path,
                                                            credential):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    with served_project(project, credential, monkeypatch, granted=PERMISSIONS) as served:
        secret = served.pipeline.secret
        before = snapshot(project)
        results = {"apply": apply(project)}
        results |= {f"plan {form}": plan(project, "--format", form, "--out", str(outputs / f"{form}.json"))
                    for form in FORMATS}
    assert all(result.code == 0 for result in results.values()), {n: r.err for n, r in results.items()}
    for where, canary in (("secret", secret), ("federated token", (project.parent / "federated-token").read_text())):
        evidence = Evidence(canary)
        collect(evidence, project, before, debug_log, own_tmp, results)
        evidence.add_files(outputs, label="saved plans/")
        if where == "federated token":  # the file the pipeline was given holds it, by design: not a leak
            evidence.places.pop("emulated tenant/federated-token")
        assert "emulated tenant/served.db" in evidence.places, "the emulated tenant's state was not checked"
        assert evidence.leaks() == [], where


def test_a_wrong_secret_is_never_repeated(project, monkeypatch, debug_log, own_tmp):
    canary = new_canary()
    with served_project(project, "client-secret", monkeypatch, granted=PERMISSIONS):
        monkeypatch.setenv("IDAMCONF_SERVED_SECRET", canary)
        before = snapshot(project)
        results = {f"plan {form}": plan(project, "--format", form) for form in FORMATS}
        results["apply"] = apply(project)
    assert all(result.code == 1 and "AADSTS7000215" in result.err for result in results.values())
    evidence = Evidence(canary)
    collect(evidence, project, before, debug_log, own_tmp, results)
    assert "/oauth2/v2.0/token" in debug_log.text, "the secret never reached azure-identity: the test is vacuous"
    assert evidence.leaks() == []
