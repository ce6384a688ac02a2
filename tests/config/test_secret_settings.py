"""The two settings that lead to a secret (issue 23): `clientSecretEnv` names only idamconf's own variables, so a
configuration cannot have another tool's secret (GITHUB_TOKEN) sent to Entra ID as a client secret; and
`certificatePath` is a path, never the key itself -- a key pasted there is refused and never printed."""

from __future__ import annotations

import pytest

from tests.cli.harness import add_environment, edit, idamconf

IDS = "    tenantId: 00000000-0000-0000-0000-0000000ab001\n    clientId: 00000000-0000-0000-0000-0000000ab002\n"


def probe(project, credential: str, setting: str) -> int:
    """Environment `probe` with this credential and setting (YAML lines); returns the setting's first line."""
    add_environment(project, f"  probe:\n    graphUrl: "
         f"https://graph.microsoft.com/v1.0\n    credential: {credential}\n{IDS}{setting}")
    return (project / "idamconf.yaml").read_text().splitlines().index(setting.splitlines()[0]) + 1


@pytest.mark.parametrize("name", ["IDAMCONF_CLIENT_SECRET", "IDAMCONF_NLE_SECRET_2", "AZURE_CLIENT_SECRET"])
def test_client_secret_variables_of_idamconf_are_accepted(project, name):
    probe(project, "client-secret", f"    clientSecretEnv: {name}\n")
    assert idamconf("validate", "-C", str(project)).code == 0


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                                  "AZURE_CLIENT_SECRET_2", "IDAMCONF_", "idamconf_client_secret", "PATH",
                                  "IDAMCONF_PLAN_SIGNING_KEY", "IDAMCONF_EMULATOR_FAULTS"])  # idamconf's own
def test_other_variables_are_refused_as_client_secrets(project, monkeypatch, name):
    monkeypatch.setenv(name, "another-tools-secret")
    line = probe(project, "client-secret", f"    clientSecretEnv: {name}\n")
    for command in (["validate"], ["plan", "-e", "probe"]):
        result = idamconf(*command, "-C", str(project))
        assert result.code == 1
        assert f"idamconf.yaml:{line}:22: error: environments.probe.clientSecretEnv: the value (not shown" in result.err
        assert "IDAMCONF_<NAME>" in result.err and "AZURE_CLIENT_SECRET" in result.err
        assert "another-tools-secret" not in result.out + result.err


KEY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCcanary"
PASTED = {
    "a PEM block": f"    certificatePath: |\n      -----BEGIN PRIVATE KEY-----\n      {KEY}\n      -----END PRIVATE KEY-----\n",
    "a PEM on one line": f"    certificatePath: '-----BEGIN RSA PRIVATE KEY----- {KEY} -----END RSA PRIVATE KEY-----'\n",
    "two lines": f'    certificatePath: "certs/idamconf.pem\\n{KEY}"\n',
    "too long for a path": f"    certificatePath: certs/{KEY * 20}.pem\n",
}


@pytest.mark.parametrize("setting", list(PASTED.values()), ids=list(PASTED))
def test_a_certificate_path_that_is_not_a_path_is_refused_unseen(project, setting):
    line = probe(project, "certificate", setting)
    for command in (["validate"], ["lint"], ["plan", "-e", "probe"]):
        result = idamconf(*command, "-C", str(project))
        assert result.code == 1, command
        assert KEY not in result.out + result.err, command
    result = idamconf("validate", "-C", str(project))
    assert f"idamconf.yaml:{line}:22: error: environments.probe.certificatePath: the value (not shown" in result.err
    assert "give the path of the certificate file" in result.err


def test_lint_calls_a_pasted_private_key_a_secret_in_the_file(project):
    probe(project, "certificate", PASTED["a PEM block"])
    result = idamconf("lint", "-C", str(project))
    assert "[security.secret-in-file] environments.probe: 'certificatePath' holds a secret in the file" in result.out


def test_a_certificate_path_is_accepted_and_a_missing_file_is_one_line(project):
    probe(project, "certificate", "    certificatePath: certs/idamconf.pem\n")
    assert idamconf("validate", "-C", str(project)).code == 0
    result = idamconf("plan", "-e", "probe", "-C", str(project))
    assert result.code == 1
    assert "error: signing in to Entra ID failed for environment 'probe' (credential certificate): " \
           "FileNotFoundError" in result.err and len(result.err.splitlines()) == 1
    assert "unexpected" not in result.err
