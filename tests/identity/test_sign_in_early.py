"""A command signs in once idamconf.yaml is valid, while its application files are still being read
(graph/signed_in_early.py): once per command -- its early reads take the same token -- and a failure, or a
configuration with errors, reports exactly what it reported before."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

import pytest
from azure.core.credentials import AccessToken

from idamconf.graph import signed_in_early
from tests.cli.harness import plan
from tests.graph.test_early_reads import large  # noqa: F401 - the fixture: read as a large configuration is
from tests.identity.conftest import served_project


def _token_requests(monkeypatch) -> list[float]:
    """When the served emulator's token endpoint was asked, each time."""
    from idamconf.emulator.identity import service

    asked, real = [], service.token

    def token(*args, **kwargs):
        asked.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "token", token)
    return asked


def _settled(monkeypatch) -> list:
    """The sign-ins commands started, each waited for before it is counted (a command with errors does not wait)."""
    started, real = [], signed_in_early.start

    def start(target, sign_in):
        real(target, sign_in)
        started.append(signed_in_early.started(target))

    monkeypatch.setattr(signed_in_early, "start", start)
    return started


def _wait(started: list) -> None:
    for found in started:
        found.exception(timeout=30)


def _slow_files(monkeypatch, seconds: float) -> list[float]:
    """The application files' reading made `seconds` longer, as a large configuration's is; when it ended."""
    from idamconf.commands import session

    ended, real = [], session.read

    def read(*args, **kwargs):
        found = real(*args, **kwargs)
        time.sleep(seconds)
        ended.append(time.monotonic())
        return found

    monkeypatch.setattr(session, "read", read)
    return ended


def test_the_sign_in_is_made_while_the_files_are_read_and_used_by_the_plan(project, monkeypatch):
    with served_project(project, "client-secret", monkeypatch):
        asked, ended = _token_requests(monkeypatch), _slow_files(monkeypatch, 1.0)
        result = plan(project)
    assert result.code == 0, result.err
    assert "0 to destroy." in result.out
    assert len(asked) == 1 and asked[0] < ended[0]  # one sign-in, made before the files were read


def test_a_large_configurations_early_reads_and_its_plan_sign_in_once(large, project, monkeypatch):  # noqa: F811
    with served_project(project, "client-secret", monkeypatch):
        asked = _token_requests(monkeypatch)
        result = plan(project)
    assert result.code == 0, result.err
    assert len(asked) == 1  # (before: the early reads' connection signed in, then the plan's)


def test_a_configuration_with_an_error_reports_only_its_error_whatever_the_sign_in_meets(project, monkeypatch):
    broken = project / "applications" / next(p.name for p in (project / "applications").glob("*.yaml"))
    broken.write_text(broken.read_text().replace("displayName:", "displayNme:", 1))
    with served_project(project, "client-secret", monkeypatch) as served:
        asked, started = _token_requests(monkeypatch), _settled(monkeypatch)
        result = plan(project)
        monkeypatch.setenv("IDAMCONF_SERVED_SECRET", "not-the-secret")  # the early sign-in now fails
        wrong = plan(project)
        _wait(started)
        monkeypatch.setattr(signed_in_early, "start", lambda *args: None)
        without = plan(project)
    assert result.code == wrong.code == without.code == 1
    assert "unknown key 'displayNme'" in result.err and result.err == wrong.err == without.err
    assert served.pipeline.secret not in result.err + result.out
    assert len(asked) == 2  # the first two commands' early sign-ins; the third's was not started


def test_a_refused_early_sign_in_is_the_one_line_answer_and_not_asked_again(project, monkeypatch):
    with served_project(project, "client-secret", monkeypatch) as served:
        monkeypatch.setenv("IDAMCONF_SERVED_SECRET", "not-the-secret-" + served.pipeline.secret[::-1])
        asked = _token_requests(monkeypatch)
        result = plan(project)
    assert result.code == 1 and "AADSTS7000215" in result.err and len(result.err.strip().splitlines()) == 1
    assert len(asked) == 1  # the early sign-in's refusal is the command's: never a second attempt


def test_an_idamconf_yaml_with_an_error_starts_no_sign_in(project, monkeypatch):
    """Its schema passed, its own checks did not (a credential that signs in, without the client it signs in as):
    nothing starts, and the report is idamconf.yaml's error."""
    with served_project(project, "client-secret", monkeypatch) as served:
        text = (project / "idamconf.yaml").read_text()
        (project / "idamconf.yaml").write_text(text.replace(f"    clientId: {served.pipeline.client_id}\n", "", 1))
        asked, started = _token_requests(monkeypatch), _settled(monkeypatch)
        result = plan(project)
        _wait(started)
    assert result.code == 1 and "clientId" in result.err, result.err
    assert started == [] and asked == []


def test_an_environment_without_graph_url_is_reported_not_signed_in_to(project, monkeypatch):
    """An error of idamconf.yaml that only its own checks find: the early start, which would resolve the
    environment, never sees it (it was an AttributeError once)."""
    from tests.cli.harness import edit

    edit(project / "idamconf.yaml", "environments:\n", "environments:\n  corp:\n    credential: default\n")
    started = _settled(monkeypatch)
    result = plan(project, "-e", "corp")
    assert result.code == 1 and "graphUrl" in result.err and "unexpected" not in result.err, result.err
    assert started == []


# ------------------------------------------------------------------------------------------- Presigned, alone
class _Credential:
    def __init__(self):
        self.asked, self.closed = [], False

    async def get_token(self, *scopes, **kwargs):
        self.asked.append((scopes, kwargs))
        return AccessToken("its own", int(time.time()) + 3600)

    async def close(self):
        self.closed = True


def _early(outcome) -> concurrent.futures.Future:
    found = concurrent.futures.Future()
    if isinstance(outcome, Exception):
        found.set_exception(outcome)
    else:
        found.set_result(outcome)
    return found


SCOPE = "https://graph.microsoft.com/.default"
GOOD = (SCOPE, True, AccessToken("early", int(time.time()) + 3600))


def test_the_early_token_is_taken_for_its_own_scope_only():
    credential = _Credential()
    presigned = signed_in_early.Presigned(credential, _early(GOOD))
    assert asyncio.run(presigned.get_token(SCOPE, enable_cae=True)).token == "early"
    assert credential.asked == []
    asked_again = [
        presigned.get_token(SCOPE, enable_cae=True, claims='{"access_token":{}}'),  # a claims challenge
        presigned.get_token("https://vault.azure.net/.default", enable_cae=True),  # another scope
        presigned.get_token(SCOPE, enable_cae=False),  # asked otherwise than it was signed in for
        presigned.get_token(SCOPE, enable_cae=True, tenant_id="another"),
    ]
    for ask in asked_again:
        assert asyncio.run(ask).token == "its own"
    assert len(credential.asked) == 4
    asyncio.run(presigned.close())
    assert credential.closed


def test_a_token_near_its_end_is_asked_again():
    credential = _Credential()
    ending = AccessToken("early", int(time.time()) + 200)  # within MARGIN of its end
    presigned = signed_in_early.Presigned(credential, _early((SCOPE, True, ending)))
    assert asyncio.run(presigned.get_token(SCOPE, enable_cae=True)).token == "its own"
    assert len(credential.asked) == 1


def test_a_failed_early_sign_in_is_the_answer_not_asked_again():
    from azure.core.exceptions import ClientAuthenticationError

    credential, refused = _Credential(), ClientAuthenticationError(message="AADSTS7000215: Invalid client secret")
    presigned = signed_in_early.Presigned(credential, _early(refused))
    with pytest.raises(ClientAuthenticationError) as raised:
        asyncio.run(presigned.get_token(SCOPE, enable_cae=True))
    assert raised.value is refused and credential.asked == []


def test_a_sign_in_still_under_way_is_waited_for_not_made_again():
    credential, found = _Credential(), concurrent.futures.Future()

    async def ask():
        waiting = asyncio.ensure_future(signed_in_early.Presigned(credential, found).get_token(SCOPE, enable_cae=True))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        found.set_result(GOOD)
        return await waiting

    assert asyncio.run(ask()).token == "early" and credential.asked == []


def test_a_command_forgets_its_sign_in():
    signed_in_early.start("target", lambda: asyncio.sleep(0, GOOD))
    assert signed_in_early.started("target").result(timeout=5) == GOOD
    signed_in_early.forget()
    assert signed_in_early.started("target") is None
