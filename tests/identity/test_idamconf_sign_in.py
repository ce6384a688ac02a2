"""idamconf signs in to a served emulator with azure-identity's real credentials, configured per environment as for
a tenant: the environment's graphUrl is the emulator's https loopback root, which is also where it signs in."""

from __future__ import annotations

import re

import pytest

from tests.cli.harness import idamconf, plan
from tests.identity.conftest import served_project


@pytest.mark.parametrize("credential", ["client-secret", "certificate", "workload-identity"])
def test_idamconf_plans_against_a_served_emulator_signing_in_for_real(project, monkeypatch, credential):
    with served_project(project, credential, monkeypatch):
        assert idamconf("validate", "-C", str(project)).code == 0
        result = plan(project)
    assert result.code == 0, result.err
    assert re.search(r"^  \+ app\.[a-z-]+  \(create\)$", result.out, re.M) and "0 to destroy." in result.out


def test_a_wrong_secret_fails_in_one_line_with_entras_code_and_without_the_secret(project, monkeypatch):
    with served_project(project, "client-secret", monkeypatch) as served:
        monkeypatch.setenv("IDAMCONF_SERVED_SECRET", "not-the-secret-" + served.pipeline.secret[::-1])
        result = plan(project)
    assert result.code == 1
    assert "AADSTS7000215" in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert served.pipeline.secret[::-1] not in result.err + result.out
    assert served.pipeline.authority in result.err  # where it tried to sign in: the emulator itself


@pytest.mark.parametrize("graph_url", ["http://127.0.0.1:8931/v1.0"])
def test_plain_http_loopback_is_still_refused_for_a_tenant_credential(project, graph_url):
    from tests.graph.test_token_boundary import probe_environment
    probe_environment(project, graph_url, "client-secret")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1 and "emulator served with --tls" in result.err
