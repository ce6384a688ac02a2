"""A sign-in that fails is one line saying which environment, what azure-identity said (its first line) and how to
fix it: no traceback, no "unhandled exception during asyncio.run() shutdown" from the requests that were in flight,
and nothing sent to Graph. `plan -e nle` from a terminal (workload identity without its token file) says what to do
rather than "unexpected ValueError ... token_file_path"."""

from __future__ import annotations

import asyncio
import io
import sys

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError

from idamconf import cli
from idamconf.graph import connect
from tests.cli.harness import add_environment, edit

AZURE_SAYS = ("DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
              "Attempted credentials:\n\tEnvironmentCredential: EnvironmentCredential authentication unavailable.")


class RefusingCredential:
    """azure-identity's place: every token request fails as DefaultAzureCredential's do, after a moment (so that
    the plan's first requests are all in flight when they fail)."""

    def __init__(self):
        self.asked = 0

    async def get_token(self, *scopes, **options):
        self.asked += 1
        await asyncio.sleep(0.01)
        raise ClientAuthenticationError(message=AZURE_SAYS)

    async def close(self) -> None:
        pass


def tenant_environment(project, credential: str = "default") -> None:
    add_environment(project, "  corp:\n"
         "    graphUrl: https://graph.microsoft.com/v1.0\n"
         "    tenantId: 00000000-0000-0000-0000-00000000c001\n"
         "    clientId: 00000000-0000-0000-0000-00000000c002\n"
         f"    credential: {credential}\n")


def run_main(monkeypatch, *args: str) -> tuple[int, str, str]:
    """The real entry point (cli.main, which leaves with os._exit): asyncio's shutdown logging included."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "argv", ["idamconf", *args])
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    codes = []
    monkeypatch.setattr(cli.os if hasattr(cli, "os") else __import__("os"), "_exit", lambda code: codes.append(code))
    monkeypatch.setattr("atexit._run_exitfuncs", lambda: None)
    cli.main()
    return codes[0], out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_failed_sign_in_is_one_line_with_the_fix(project, monkeypatch, caplog, command):
    tenant_environment(project)
    credential = RefusingCredential()
    monkeypatch.setattr(connect, "_new_credential", lambda target, cloud: credential)
    sent = []
    monkeypatch.setattr(connect, "_network_client", lambda base_url, timeout, verify=True: httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500)), base_url=base_url))
    code, out, err = run_main(monkeypatch, command, "-C", str(project), "-e", "corp", "--auto-approve"
                              if command == "apply" else "--detailed-exitcode")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: signing in to Entra ID failed for environment 'corp' (credential default): "
                               "DefaultAzureCredential failed to retrieve a token from the included credentials.")
    assert "Fix: " in lines[0] and "az login" in lines[0]
    assert credential.asked == 1  # the first failure is the answer for every request in flight
    assert sent == []
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


def test_workload_identity_outside_a_pipeline_says_where_it_works(project, monkeypatch):
    tenant_environment(project, "workload-identity")
    for name in ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run_main(monkeypatch, "plan", "-C", str(project), "-e", "corp")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "unexpected" not in err and "token_file_path" not in err and "Traceback" not in err
    assert lines[0].startswith("error: signing in to Entra ID failed for environment 'corp' (credential "
                               "workload-identity): no federated token")
    assert "AZURE_FEDERATED_TOKEN_FILE" in lines[0] and "Fix: " in lines[0]


@pytest.mark.parametrize("command, key, client", [("plan", "readClientId", "00000000-0000-0000-0000-00000000c003"),
                                                  ("apply", "clientId", "00000000-0000-0000-0000-00000000c002")])
def test_the_fix_names_the_identity_the_command_signed_in_as(project, monkeypatch, command, key, client):
    """plan reads as readClientId, apply as clientId: the fix names the key and id to check in idamconf.yaml (it
    said "clientId <the readClientId's id>", sending the user to the wrong line)."""
    tenant_environment(project, "workload-identity")
    edit(project / "idamconf.yaml", "    clientId: 00000000-0000-0000-0000-00000000c002\n",
         "    clientId: 00000000-0000-0000-0000-00000000c002\n    readClientId: 00000000-0000-0000-0000-00000000c003\n")
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    code, out, err = run_main(monkeypatch, command, "-C", str(project), "-e", "corp", "--auto-approve"
                              if command == "apply" else "--detailed-exitcode")
    assert code == 1 and f"check the federated credential of {key} {client} (" in err, err


def test_asyncio_news_that_is_no_failure_is_still_logged(caplog):
    """Only the failures of requests in flight are left unsaid (the first is the command's answer): asyncio's other
    news -- a slow callback, say -- is logged as asyncio logs it."""
    from idamconf.commands.session import run_async

    async def news():
        asyncio.get_running_loop().call_exception_handler({"message": "a callback took 2 s"})

    run_async(news())
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == ["a callback took 2 s"]


def test_a_sibling_request_failing_unretrieved_is_not_reported_again(caplog):
    """A request still in flight when the command's answer was decided may fail too, its failure retrieved by
    nobody: asyncio would log it as "Task exception was never retrieved", with a traceback; it is not reported."""
    import gc

    from idamconf.commands.session import run_async

    async def sibling():
        raise RuntimeError("the sign-in failed for this request too")

    async def command():
        task = asyncio.ensure_future(sibling())
        while not task.done():
            await asyncio.sleep(0)
        del task
        gc.collect()  # (asyncio reports an unretrieved failure when its task is freed)

    run_async(command())
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []
