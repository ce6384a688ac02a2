"""The environment variables idamconf reads, with values a machine can hold: a federated token file that is not
there (or is a directory), and a plan-signing key that is not UTF-8 (any bytes are a value on Linux). Each was an
unexpected failure: FileNotFoundError or IsADirectoryError from azure-identity's token read, UnicodeEncodeError from
the key."""

from __future__ import annotations

import os

import pytest

from idamconf.graph import connect
from idamconf.plan import signing
from tests.cli.harness import apply, plan
from tests.cli.test_sign_in_failures import RefusingCredential, run_main, tenant_environment


@pytest.mark.parametrize("named", ["missing", "directory"])
def test_a_federated_token_file_that_is_not_a_file_is_said_with_the_fix(project, tmp_path, monkeypatch, named):
    tenant_environment(project, "workload-identity")
    (tmp_path / "directory").mkdir()
    monkeypatch.setenv(connect.FEDERATED_TOKEN_VARIABLE, str(tmp_path / named))
    code, out, err = run_main(monkeypatch, "plan", "-C", str(project), "-e", "corp")
    assert code == 1 and out == "" and "unexpected" not in err, err
    said = err.splitlines()[-1]  # (after azure-identity's own log line)
    assert said.startswith("error: signing in to Entra ID failed for environment 'corp' (credential "
                           "workload-identity): [Errno "), err
    assert f"'{tmp_path / named}'. Fix: " in said and "AZURE_FEDERATED_TOKEN_FILE" in said, err


class VanishedTokenFile(RefusingCredential):
    """azure-identity reading a token file that was there when the credential was made, and is not any more."""

    async def get_token(self, *scopes, **options):
        self.asked += 1
        raise FileNotFoundError(2, "No such file or directory", "/run/token")


def test_a_file_the_sign_in_cannot_read_is_a_failed_sign_in(project, monkeypatch):
    tenant_environment(project, "workload-identity")
    monkeypatch.setattr(connect, "_new_credential", lambda target, cloud: VanishedTokenFile())
    code, out, err = run_main(monkeypatch, "plan", "-C", str(project), "-e", "corp")
    assert code == 1 and out == "" and "unexpected" not in err, err
    assert err.startswith("error: signing in to Entra ID failed for environment 'corp' (credential workload-identity):"
                          " [Errno 2] No such file or directory: '/run/token'. Fix: "), err


def test_a_signing_key_that_is_not_utf8_signs_and_verifies_by_its_bytes(project, tmp_path, monkeypatch):
    key = os.fsdecode(b"\xff\xfe" + b"k" * 40)
    monkeypatch.setenv(signing.KEY_VARIABLE, key)
    made = plan(project, "--out", str(tmp_path / "plan.json"))
    assert made.code == 0 and "unexpected" not in made.err, made.err
    monkeypatch.setenv(signing.KEY_VARIABLE, os.fsdecode(b"\xff\xfd" + b"k" * 40))  # another key, one byte apart
    refused = apply(project, str(tmp_path / "plan.json"))
    assert refused.code == 1 and "signature does not match" in refused.out + refused.err
    monkeypatch.setenv(signing.KEY_VARIABLE, key)
    applied = apply(project, str(tmp_path / "plan.json"))
    assert applied.code == 0, applied.err
