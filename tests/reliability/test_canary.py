"""Secret hygiene: a canary secret never shows anywhere idamconf puts text.

Nowhere means: stdout, stderr, a plan saved with `plan --out`, the JSON and Markdown outputs, every record logged at
DEBUG, the error log idamconf writes to the temporary directory, and every file idamconf (or its embedded emulator)
writes under the configuration directory. The places a secret can come from:

(i)   the client secret an environment names with `clientSecretEnv`, which idamconf hands to azure-identity; the
      authority is a loopback port where nothing listens (AZURE_AUTHORITY_HOST; Graph is Microsoft's, as validate
      requires, and never reached: there is no token), so authentication fails, and the failure must not repeat it (separate processes, so the logging is set up as an operator would: tests/reliability/
      logged.py);
(ii)  a password credential added out of band to a managed application with addPassword: Graph returns its
      `secretText` in that response only; plan and apply then read and change that application;
(iii) a value under a secret-named key in a configuration file, which validate, lint and plan refuse without
      repeating it.

idamconf has no verbosity flag and never configures logging; in-process runs set the root logger to DEBUG and
capture every record (pytest's caplog), as `logging.basicConfig(level=DEBUG)` would.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest

from idamconf.emulator import embedded
from tests.cli.harness import add_environment, applications, apply, edit, idamconf, plan

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("human", "json", "markdown")


def new_canary() -> str:
    """Letters and digits only: the same text URL-encoded, JSON-escaped, or stored by SQLite."""
    return f"canary{uuid.uuid4().hex}"


class Evidence:
    """Every text and file the commands produced, by where it was found."""

    def __init__(self, canary: str):
        self.canary = canary
        self.places: dict[str, bytes] = {}

    def add(self, where: str, content: str | bytes) -> None:
        self.places[where] = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content

    def add_files(self, root: Path, before: dict[Path, bytes] | None = None, label: str = "") -> None:
        """Files under `root` that are new or changed since `before` (all of them without it)."""
        for path, content in snapshot(root).items():
            if before is None or before.get(path) != content:
                self.add(f"{label}{path.relative_to(root)}", content)

    def leaks(self) -> list[str]:
        assert self.places, "nothing was collected: the check would be vacuous"
        return [where for where, content in self.places.items() if self.canary.encode() in content]


def snapshot(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def debug_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def own_tmp(tmp_path, monkeypatch) -> Path:
    """idamconf's temporary directory (where an unexpected failure's log goes), kept apart for inspection."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


# ----------------------------------------------------------------------------------- (i) the environment's secret
@pytest.fixture
def refused_port():
    """A loopback port bound but not listening: every connection to it is refused at once."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def vault_environment(project: Path) -> None:
    add_environment(project, "  vault:\n"
         "    graphUrl: https://graph.microsoft.com/v1.0\n"
         "    tenantId: 00000000-0000-0000-0000-0000000ca4a1\n"
         "    clientId: 00000000-0000-0000-0000-0000000ca4a2\n"
         "    credential: client-secret\n"
         "    clientSecretEnv: IDAMCONF_CANARY_SECRET\n")


def secret_environment(canary: str, port: int, tmp: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    return {**env, "IDAMCONF_CANARY_SECRET": canary, "AZURE_AUTHORITY_HOST": f"https://127.0.0.1:{port}",
            "TMPDIR": str(tmp), "NO_PROXY": "*", "PYTHONUNBUFFERED": "1"}


def test_the_client_secret_in_the_environment_never_shows(project, tmp_path, refused_port):
    canary, tmp, outputs = new_canary(), tmp_path / "tmp", tmp_path / "outputs"
    tmp.mkdir(), outputs.mkdir()
    vault_environment(project)
    before = snapshot(project)
    commands = {f"plan-{form}": ["plan", "--format", form, "--out", str(outputs / f"plan-{form}.json")]
                for form in FORMATS}
    commands["apply-json"] = ["apply", "--auto-approve", "--format", "json"]  # fails where plan does: one will do
    running = {name: subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.logged", str(outputs / f"{name}.log"), *command, "-C",
         str(project), "-e", "vault", "--no-colour"],
        cwd=ROOT, env=secret_environment(canary, refused_port, tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name, command in commands.items()}  # in parallel: azure-identity backs off ~6 s before it gives up
    evidence = Evidence(canary)
    for name, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 1, f"{name}: exit {process.returncode}\n{err.decode()}"
        assert b"127.0.0.1" in err, f"{name}: the failure does not say where it could not connect\n{err.decode()}"
        assert b"error: signing in to Entra ID failed" in err and b"unexpected" not in err, err.decode()
        evidence.add(f"{name} stdout", out)
        evidence.add(f"{name} stderr", err)
    evidence.add_files(outputs, label="outputs/")
    evidence.add_files(tmp, label="tmp/")
    evidence.add_files(project, before)
    token_requests = b"".join(content for where, content in evidence.places.items() if where.endswith(".log"))
    assert b"/oauth2/v2.0/token" in token_requests, "the secret never reached azure-identity: the test is vacuous"
    assert evidence.leaks() == []


# ------------------------------------------------------------------------------------- (ii) an addPassword secret
async def add_password(project: Path, object_id: str) -> str:
    """What an administrator does in the portal: a new secret on the application; Graph shows it this once."""
    app = embedded.open_app(project / ".idamconf" / "local.db")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.localhost/v1.0/",
                                     headers={"Authorization": "Bearer out-of-band"}) as client:
            response = await client.post(f"applications/{object_id}/addPassword",
                                         json={"passwordCredential": {"displayName": "added in the portal"}})
    finally:
        app.state.emulator.store.close()
    assert response.status_code == 200, response.text
    return response.json()["secretText"]


@pytest.mark.usefixtures("applied")
def test_a_password_added_out_of_band_never_shows(project, tmp_path, own_tmp, debug_log):
    before = snapshot(project)
    wordpress = applications(project)["wordpress"]
    evidence = Evidence(asyncio.run(add_password(project, wordpress["id"])))
    for form in FORMATS:  # a change to the very application holding the secret, planned, saved and applied
        edit(project / "applications" / "wordpress.yaml", "organisation's", f"organisation's ({form})")
        saved = tmp_path / f"plan-{form}.json"
        planned = plan(project, "--format", form, "--out", str(saved))
        applied = apply(project, str(saved), "--format", form)
        assert (planned.code, applied.code) == (0, 0), planned.err + applied.err
        evidence.add(f"plan {form}", planned.out + planned.err)
        evidence.add(f"apply {form}", applied.out + applied.err)
        evidence.add(f"plan-{form}.json", saved.read_bytes())
    for form in FORMATS:
        result = plan(project, "--format", form, "--detailed-exitcode")
        assert result.code == 0, result.out + result.err
        evidence.add(f"final plan {form}", result.out + result.err)
    evidence.add("log", debug_log.text)
    evidence.add_files(own_tmp, label="tmp/")
    evidence.add_files(project, before)
    assert any(where.startswith(".idamconf/") for where in evidence.places), "the tenant's state was not checked"
    assert evidence.leaks() == []
    credentials = applications(project)["wordpress"]["passwordCredentials"]
    assert [c["displayName"] for c in credentials] == ["added in the portal"]  # still there: it was read each time
    assert credentials[0]["hint"] == evidence.canary[:3] and credentials[0]["secretText"] is None


# ------------------------------------------------------------------------------ (iii) a secret in a configuration
PLACEMENTS = {  # where: (file, old text, new text with {canary})
    "environment clientSecret": ("idamconf.yaml", "    emulator: true\n",
                                 "    emulator: true\n    clientSecret: {canary}\n"),
    "clientSecretEnv as a list": ("idamconf.yaml", "    credential: default\n",
                                  "    credential: client-secret\n    clientId: 00000000-0000-0000-0000-0000000ca4a2\n"
                                  "    clientSecretEnv: [{canary}]\n"),
    "application password": ("applications/wordpress.yaml", "signInAudience:", "password: {canary}\nsignInAudience:"),
    "role apiKey": ("applications/wordpress.yaml", "    value: Blog.Writer\n",
                    "    value: Blog.Writer\n    apiKey: {canary}\n"),
    "secret with a broken tag": ("applications/wordpress.yaml", "signInAudience:",
                                 "clientSecret: !!int {canary}\nsignInAudience:"),
    "password in an owner": ("applications/wordpress.yaml", "  - grace.comms@contoso.com\n",
                             "  - password: {canary}\n"),
    "secrets mapping": ("applications/wordpress.yaml", "signInAudience:",
                        "secrets:\n  prod: {canary}\nsignInAudience:"),
    "duplicated password": ("applications/wordpress.yaml", "signInAudience:",
                            "password: first\npassword: {canary}\nsignInAudience:"),
    "private key pasted into certificatePath": (
        "idamconf.yaml", "    credential: default\n",
        "    credential: certificate\n    clientId: 00000000-0000-0000-0000-0000000ca4a2\n    certificatePath: |\n"
        "      -----BEGIN PRIVATE KEY-----\n      {canary}\n      -----END PRIVATE KEY-----\n"),
}


@pytest.mark.parametrize("placement", list(PLACEMENTS))
def test_a_secret_in_a_configuration_file_is_never_repeated(placement, project, tmp_path, own_tmp, debug_log):
    canary = new_canary()
    evidence = Evidence(canary)
    file, old, new = PLACEMENTS[placement]
    edit(project / file, old, new.format(canary=canary))
    before = snapshot(project)
    runs = {"validate": ["validate"], "lint": ["lint"], "lint sarif": ["lint", "--format", "sarif"]}
    runs |= {f"plan {form}": ["plan", "--no-colour", "--format", form, "--out", str(tmp_path / f"{form}.json")]
             for form in FORMATS}
    for name, arguments in runs.items():
        result = idamconf(*arguments, "-C", str(project))
        assert result.code == 1, f"{name}: exit {result.code}\n{result.out}{result.err}"
        evidence.add(f"{name} stdout", result.out)
        evidence.add(f"{name} stderr", result.err)
    evidence.add("log", debug_log.text)
    evidence.add_files(own_tmp, label="tmp/")
    evidence.add_files(project, before)
    assert evidence.leaks() == []
    assert not (project / ".idamconf").exists() and not list(tmp_path.glob("*.json"))  # no tenant, no saved plan
