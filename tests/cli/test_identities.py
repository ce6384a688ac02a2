"""A pull request's plan holds no token that can write: plan, drift, show and the commands that only read (export,
credentials report, saml metadata) sign in as the environment's `readClientId` (read permissions only); apply alone
as its `clientId`."""

from __future__ import annotations

import time

import pytest

from idamconf.graph import connect

from .harness import add_environment, edit, idamconf
from .test_sign_in_failures import RefusingCredential

READ, WRITE = "00000000-0000-0000-0000-0000000e0ead", "00000000-0000-0000-0000-00000000e817"


@pytest.mark.parametrize("command, identity", [("plan", READ), ("drift", READ), ("show", READ), ("credentials report", READ),
                                               ("export", READ), ("saml metadata", READ), ("apply", WRITE)])
def test_each_command_signs_in_as_its_identity(project, monkeypatch, command, identity):
    add_environment(project, "  corp:\n"
         "    graphUrl: https://graph.microsoft.com/v1.0\n"
         "    tenantId: 00000000-0000-0000-0000-00000000c001\n"
         f"    clientId: {WRITE}\n"
         f"    readClientId: {READ}\n"
         "    credential: client-secret\n"
         "    clientSecretEnv: IDAMCONF_CORP_SECRET\n")
    signed_in_as = []

    def credential(target, cloud):
        made = RefusingCredential()

        async def get_token(*scopes, **options):  # (a credential made is no sign-in: one asked for a token is)
            signed_in_as.append(target.client_id)
            return await RefusingCredential.get_token(made, *scopes, **options)

        made.get_token = get_token
        return made

    monkeypatch.setattr(connect, "_new_credential", credential)
    args = {"show": ["wordpress"], "apply": ["--auto-approve"], "export": ["--all"], "saml metadata": ["pui"]}.get(
        command, [])
    started = time.monotonic()
    result = idamconf(*command.split(), *args, "-C", str(project), "-e", "corp")
    assert result.code == 1 and "signing in to Entra ID failed for environment 'corp'" in result.err
    assert signed_in_as == [identity]
    assert time.monotonic() - started < 10  # a failed sign-in is never retried (it was, a dozen times, in a $batch)


def test_without_read_client_id_every_command_signs_in_as_client_id(project):
    from idamconf.config.load import load_configuration
    from idamconf.workflow import target_for

    edit(project / "idamconf.yaml", "    readClientId: 00000000-0000-0000-0000-0000000c12e0\n", "")
    configuration = load_configuration(project)
    assert target_for(configuration, "nle", write=False).client_id == target_for(configuration, "nle").client_id \
        == "00000000-0000-0000-0000-0000000c11e0"
    assert target_for(configuration, "live", write=False).client_id == "00000000-0000-0000-0000-0000000c12e1"
