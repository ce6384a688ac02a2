"""Client secrets rotated with overlap straight into Key Vault (issue 19): the example's secret goes to the emulated
vault with its expiry and tags; the typed SDK reads the password back with nothing left over; rotation over
simulated months (added before the old one's rotation date, both valid during the overlap, the old one removed after
it); a vault write that fails removes the new password again; a killed apply leaves nothing nobody holds once the
next apply has run; a secret valid three years is refused in live before any request."""

from __future__ import annotations

import datetime as _dt
import json

import httpx
import pytest

from idamconf import clock
from idamconf.emulator import Store
from idamconf.emulator.vault_store import VaultStore
from idamconf.graph import connect as connect_module
from idamconf.vault.sinks import KeyVaultSink, VaultError
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import assert_no_leftovers, sdk_run

from .harness import applications, apply, edit, idamconf, plan
from .test_scenarios import converged

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
EXPENSES = "applications/expenses.yaml"
ADDRESS = "app.expenses.secret[expenses web sign-in"


@pytest.fixture(autouse=True)
def real_time(monkeypatch):
    """Every test starts at the real time; what it moves forward is undone."""
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))


def passwords(project) -> list[dict]:
    return [p for p in applications(project)["expenses"]["passwordCredentials"]]


def vault(project, name: str = "expenses-client-secret") -> list[dict]:
    """The emulated vault's versions of an expenses secret, oldest first (the value included: this is the vault)."""
    store = VaultStore(str(project / ".idamconf" / "local.vault.db"))
    try:
        return [doc for _, doc in store.versions("contoso-expenses", name)]
    finally:
        store.close()


def signs_in(project, name: str) -> str | None:
    """The key id of the password that a reader of vault secret `name` signs in with -- its newest enabled version's
    value, if it is a password Graph lists, valid now, with that value's hint -- or None."""
    enabled = [version for version in vault(project, name) if version["attributes"]["enabled"]]
    if not enabled:
        return None
    newest = enabled[-1]
    return next((p["keyId"] for p in passwords(project) if p["keyId"] == newest["tags"]["keyId"]
                 and p["hint"] == newest["value"][:3] and when(p["endDateTime"]) > clock.now()), None)


def when(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")[:19] + "+00:00")


def test_the_secret_goes_to_the_vault_with_its_expiry_and_tags(project):
    result = apply(project)
    assert result.code == 0, result.err
    assert f"+ {ADDRESS}#next]: created" in result.out
    converged(project)
    [password] = passwords(project)
    [version] = vault(project)
    app = applications(project)["expenses"]
    assert password["displayName"] == "idamconf:expenses web sign-in" and password["secretText"] is None
    assert version["tags"] == {"application": "expenses", "appId": app["appId"], "keyId": password["keyId"],
                               "project": "eucs-idam", "managedBy": "idamconf"}
    assert version["contentType"] == "Entra ID client secret"
    assert version["value"][:3] == password["hint"] and len(version["value"]) == 40
    assert abs(version["attributes"]["exp"] - when(password["endDateTime"]).timestamp()) < 1
    assert _dt.timedelta(days=179) < when(password["endDateTime"]) - clock.now() <= _dt.timedelta(days=180)
    report = json.loads(idamconf("credentials", "report", "-C", str(project), "--format", "json").out)
    [row] = [row for row in report["credentials"] if row["kind"] == "secret"]
    assert (row["managed"], row["key_id"], row["hint"]) == (True, password["keyId"], password["hint"])


@pytest.mark.usefixtures("applied")
def test_the_typed_sdk_reads_the_password_back_with_nothing_left_over(project):

    async def read(client):
        app = next(a for a in (await client.applications.get()).value if a.unique_name == "expenses")
        return (await client.applications.by_application_id(app.id).get()).password_credentials

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        [credential] = sdk_run(emulator.base_url, read)
    assert_no_leftovers(credential)
    assert credential.display_name == "idamconf:expenses web sign-in" and credential.secret_text is None
    assert credential.hint == vault(project)[0]["value"][:3]


@pytest.mark.usefixtures("applied")
def test_rotation_over_simulated_time(project):
    [first] = passwords(project)
    clock.advance(days=149)  # 31 days before expiry: nothing to do yet
    converged(project)
    clock.advance(days=1)  # 30 days before: rotate
    rotating = plan(project)
    removal = (clock.now() + _dt.timedelta(days=14)).strftime("%Y-%m-%d")
    assert f"+ {ADDRESS}#next]  (create)" in rotating.out
    assert f'"{first["keyId"]} (hint {first["hint"]}), removed on or after {removal}"' in rotating.out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in rotating.out
    assert apply(project).code == 0
    converged(project)
    both = passwords(project)
    assert len(both) == 2 and all(when(p["endDateTime"]) > clock.now() for p in both)  # both valid: the overlap
    newest = max(both, key=lambda p: p["startDateTime"])
    latest = vault(project)[-1]  # the vault's current version is exactly the newest secret, with its expiry
    assert (latest["tags"]["keyId"], latest["value"][:3], len(vault(project))) == (newest["keyId"], newest["hint"], 2)
    assert abs(latest["attributes"]["exp"] - when(newest["endDateTime"]).timestamp()) < 1
    clock.advance(days=13)
    converged(project)  # still within the overlap
    clock.advance(days=1, seconds=60)
    removing = plan(project)
    assert f"- {ADDRESS}#{first['keyId']}]  (destroy: superseded: its overlap ended on {removal})" in removing.out
    done = apply(project)  # the rotation the file asked for: no --allow-delete needed
    assert done.code == 0, done.err
    assert f"  - {ADDRESS}#{first['keyId']}]: removed\n" in done.out
    assert [p["keyId"] for p in passwords(project)] == [newest["keyId"]]
    # the vault's enabled versions are the values that still sign in: the removed one's is disabled
    assert [(v["tags"]["keyId"], v["attributes"]["enabled"]) for v in vault(project)] == \
        [(first["keyId"], False), (newest["keyId"], True)]
    converged(project)


def test_a_failed_vault_write_removes_the_new_password_again(project, monkeypatch):
    async def refused(self, value, key_id, expires, tags):
        raise VaultError("writing secret expenses-client-secret to https://contoso-expenses.vault.azure.net failed: "
                         "Forbidden")

    monkeypatch.setattr(KeyVaultSink, "write", refused)
    result = apply(project)
    assert result.code == 1
    assert "the new secret was removed again, so that none exists that nobody holds" in result.err
    assert passwords(project) == [] and vault(project) == []


@pytest.mark.usefixtures("applied")
def test_a_vault_refusing_to_disable_a_secrets_copy_keeps_the_password_for_the_next_apply(project, monkeypatch):
    """The copies in the vault are disabled before the password is removed: refused (or the apply cut short there),
    the password stays in Graph, and the next apply disables its copy and removes it -- removed first, the vault
    kept an enabled copy of a dead value that no plan looked for again (found by a review in session 47)."""
    [first] = passwords(project)
    clock.advance(days=150)
    assert apply(project).code == 0  # the rotation's new secret
    clock.advance(days=14, seconds=60)  # the overlap is over: the old one goes

    async def refused(self, key_id):
        raise VaultError("disabling its version of secret expenses-client-secret in "
                         "https://contoso-expenses.vault.azure.net failed: Forbidden")

    real = KeyVaultSink.retire
    monkeypatch.setattr(KeyVaultSink, "retire", refused)
    result = apply(project)
    assert result.code == 1
    assert (f"{ADDRESS}#{first['keyId']}]: not removed from the application, as disabling its version of secret "
            "expenses-client-secret in https://contoso-expenses.vault.azure.net failed: Forbidden") in result.err
    assert first["keyId"] in [p["keyId"] for p in passwords(project)]  # still there, for the next apply
    assert [(v["tags"]["keyId"], v["attributes"]["enabled"]) for v in vault(project)][0] == (first["keyId"], True)
    monkeypatch.setattr(KeyVaultSink, "retire", real)  # (the clock stays where the overlap is over)
    finished = apply(project)
    assert finished.code == 0, finished.err
    assert first["keyId"] not in [p["keyId"] for p in passwords(project)]
    assert [(v["tags"]["keyId"], v["attributes"]["enabled"]) for v in vault(project)][0] == (first["keyId"], False)


class RemovedMeanwhile(httpx.AsyncBaseTransport):
    """Someone else removes the password just before idamconf's own removal reaches Graph: the same request, sent
    once more ahead of it, so that Graph answers idamconf's with 404."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner, self.raced, self.removals = inner, False, 0  # removals: idamconf's own, as Graph receives them

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        removal = b"removePassword" in request.content + str(request.url).encode()
        self.removals += removal
        if not self.raced and removal:
            self.raced = True
            ahead = await self.inner.handle_async_request(
                httpx.Request(request.method, request.url, headers=request.headers, content=request.content))
            await ahead.aread()
        return await self.inner.handle_async_request(request)


@pytest.mark.usefixtures("applied")
def test_a_password_someone_else_removed_meanwhile_counts_as_removed(project, monkeypatch):
    [first] = passwords(project)
    clock.advance(days=150)
    assert apply(project).code == 0
    clock.advance(days=14, seconds=60)
    from ..safety.wire import wrapped_transports

    real = connect_module._http_client
    wires = wrapped_transports(monkeypatch, RemovedMeanwhile)
    result = apply(project)
    assert wires[0].raced and result.code == 0, result.err
    assert wires[0].removals == 1  # its 404 taken as gone at once, not waited out as if Graph were still replicating
    assert first["keyId"] not in [p["keyId"] for p in passwords(project)]
    assert [(v["tags"]["keyId"], v["attributes"]["enabled"]) for v in vault(project)][0] == (first["keyId"], False)
    monkeypatch.setattr(connect_module, "_http_client", real)
    converged(project)


def test_graph_answering_without_the_secret_fails_the_step_and_leaves_no_password(project, monkeypatch):
    from idamconf.emulator import credentials
    from idamconf.emulator.protocol import Reply

    def without_the_secret(status, body=None, *rest, **named):  # Graph's answer to addPassword, no secretText
        if isinstance(body, dict):
            body = {name: value for name, value in body.items() if name != "secretText"}
        return Reply(status, body, *rest, **named)

    monkeypatch.setattr(credentials, "Reply", without_the_secret)
    result = apply(project)
    assert result.code == 1
    assert (f"{ADDRESS}#next]: Graph returned no secret; the new secret was removed again, so that none exists that "
            "nobody holds") in result.err
    assert passwords(project) == [] and vault(project) == []


class Killed(BaseException):
    """The process dying between addPassword and the vault write (as SIGKILL would leave it)."""


@pytest.mark.parametrize("name", ["expenses web sign-in", "Expenses Web Sign-In"])
def test_a_killed_apply_is_finished_by_the_next_and_its_orphan_goes_after_the_overlap(project, monkeypatch, name):
    """Whatever the case of the secret's name: Graph's copy of it is compared in any case. The password the killed
    apply added has no copy in the vault, which Graph's data cannot tell from a secret the file moved (whose old
    place readers may still take): it is kept for the overlap like a moved one, harmless -- its value exists
    nowhere -- then removed (review, session 48: before, it went at once, and so did a moved secret's)."""
    edit(project / EXPENSES, "displayName: expenses web sign-in", f"displayName: {name}")
    address = f"app.expenses.secret[{name}"
    real_write = KeyVaultSink.write

    async def killed(self, value, key_id, expires, tags):
        raise Killed()

    monkeypatch.setattr(KeyVaultSink, "write", killed)
    with pytest.raises(Killed):
        apply(project)
    [orphan] = passwords(project)
    assert vault(project) == []  # a password whose value nobody holds
    monkeypatch.setattr(KeyVaultSink, "write", real_write)
    planned = plan(project)
    removal = (clock.now() + _dt.timedelta(days=14)).strftime("%Y-%m-%d")
    assert f"+ {address}#next]  (create)" in planned.out and "0 to destroy" in planned.out
    assert (f'"{orphan["keyId"]} (hint {orphan["hint"]}), no copy in https://contoso-expenses.vault.azure.net/'
            f'secrets/expenses-client-secret: removed on or after {removal}; readers of its old place have until '
            'then to switch"') in planned.out
    assert apply(project).code == 0
    converged(project)  # the killed apply is finished: the new secret is in the vault, and in use
    [password] = [p for p in passwords(project) if p["keyId"] != orphan["keyId"]]
    assert [version["tags"]["keyId"] for version in vault(project)] == [password["keyId"]]
    assert signs_in(project, "expenses-client-secret") == password["keyId"]
    clock.advance(days=14, seconds=60)
    assert (f"- {address}#{orphan['keyId']}]  (destroy: no copy in https://contoso-expenses.vault.azure.net/secrets/"
            f"expenses-client-secret: its overlap ended on {removal})") in plan(project).out
    assert apply(project).code == 0  # the rotation's removal: no --allow-delete needed
    assert [p["keyId"] for p in passwords(project)] == [password["keyId"]]
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_secret_moved_to_another_vault_secret_keeps_the_old_password_for_the_overlap(project):
    """The file moves the secret to a vault secret of its own (as the one-writer rule asks of a secret shared between
    tenants): the password in use has no copy at the new place, but readers of the old one still sign in with it,
    until the overlap is over; then it goes, the rotation's removal, with no --allow-delete. Before (review, session
    48), the plan removed it in the same apply that added the new one: the old place's readers lost sign-in at once."""
    [first] = passwords(project)
    clock.advance(days=40)  # mid-life: the move, not a rotation, adds the new one
    edit(project / EXPENSES, "secretName: expenses-client-secret", "secretName: expenses-web-sign-in")
    moving = plan(project)
    removal = (clock.now() + _dt.timedelta(days=14)).strftime("%Y-%m-%d")
    new_place = "https://contoso-expenses.vault.azure.net/secrets/expenses-web-sign-in"
    assert f"+ {ADDRESS}#next]  (create)" in moving.out
    assert (f'"{first["keyId"]} (hint {first["hint"]}), no copy in {new_place}: removed on or after {removal}; '
            'readers of its old place have until then to switch"') in moving.out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in moving.out
    moved = apply(project)
    assert moved.code == 0, moved.err
    converged(project)
    [new] = [p for p in passwords(project) if p["keyId"] != first["keyId"]]
    assert signs_in(project, "expenses-client-secret") == first["keyId"]  # the old place's readers still sign in
    assert signs_in(project, "expenses-web-sign-in") == new["keyId"]
    clock.advance(days=13)
    converged(project)  # still within the overlap
    assert signs_in(project, "expenses-client-secret") == first["keyId"]
    clock.advance(days=1, seconds=60)
    removing = plan(project)
    assert (f"- {ADDRESS}#{first['keyId']}]  (destroy: no copy in {new_place}: its overlap ended on {removal})"
            in removing.out)
    done = apply(project)
    assert done.code == 0, done.err
    assert [p["keyId"] for p in passwords(project)] == [new["keyId"]]
    assert signs_in(project, "expenses-client-secret") is None and signs_in(project, "expenses-web-sign-in") == \
        new["keyId"]
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_secret_the_file_stops_naming_needs_allow_delete_and_a_file_without_the_key_leaves_them(project):
    [password] = passwords(project)
    text = (project / EXPENSES).read_text()
    (project / EXPENSES).write_text(text[:text.index("secrets:")] + text[text.index("appRoles:"):])
    converged(project)  # no `secrets:` at all: the application's passwords are left alone
    edit(project / EXPENSES, "appRoles:", "secrets: []\nappRoles:")
    assert f"- {ADDRESS}#{password['keyId']}]  (destroy: not in the file)" in plan(project).out
    refused = apply(project)
    assert refused.code == 1 and "--allow-delete" in refused.err
    assert apply(project, "--allow-delete").code == 0 and passwords(project) == []


def test_a_three_year_secret_in_live_is_refused_before_any_request(project):
    edit(project / EXPENSES, "    lifetimeDays: 180\n", "    lifetimeDays: 1095\n")
    result = plan(project, "-e", "live")  # graph.microsoft.com: the loopback guard fails the test on any request
    assert result.code == 1
    line = (project / EXPENSES).read_text().splitlines().index("    lifetimeDays: 1095") + 1
    assert f"{EXPENSES}:{line}:19: error: secrets[0].lifetimeDays: a secret valid 1095 days; the organisation " \
           "allows at most 730 (two years) [secret.lifetime]" in result.err


def three_years_under_the_rule_at(project, severity: str) -> None:
    """The expenses secret valid 1095 days, and rule secret.lifetime at `severity` in every environment."""
    edit(project / EXPENSES, "    lifetimeDays: 180\n", "    lifetimeDays: 1095\n")
    for name in ("local", "devl", "nle", "live"):
        edit(project / "idamconf.yaml", f"  {name}:\n", f"  {name}:\n    rules: {{secret.lifetime: {severity}}}\n"
             if name != "live" else f"  {name}:\n")
    edit(project / "idamconf.yaml", "      reviewers.two: error\n", "      reviewers.two: error\n"
         f"      secret.lifetime: {severity}\n")


def test_the_lifetime_rule_is_configured_per_environment(project):
    three_years_under_the_rule_at(project, "warning")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err
    assert "warning: secrets[0].lifetimeDays: a secret valid 1095 days" in result.out + result.err
    edit(project / "idamconf.yaml", "      secret.lifetime: warning\n", "")  # live's default: an error
    refused = idamconf("validate", "-C", str(project))
    assert refused.code == 1 and "error: secrets[0].lifetimeDays" in refused.err and "(error in live" in refused.err


def test_an_emulator_environment_may_keep_secrets_in_files_outside_the_configuration(project, tmp_path):
    outside = tmp_path / "secrets"
    edit(project / "idamconf.yaml", "    seed: emulator/directory.yaml\n",
         f"    seed: emulator/directory.yaml\n    secretFiles: {outside}\n")
    assert apply(project).code == 0
    converged(project)
    [password] = passwords(project)
    value = outside / "expenses-client-secret.secret"
    keys = json.loads((outside / "expenses-client-secret.keys.json").read_text())
    assert value.read_text()[:3] == password["hint"] and keys["keyIds"] == [password["keyId"]]
    assert value.stat().st_mode & 0o777 == 0o600 and vault(project) == []


def test_a_lost_answer_to_add_password_leaves_one_password_and_its_value_in_the_vault(project, monkeypatch):
    """addPassword runs in the tenant and its answer is lost: the request is sent again, and the password whose value
    nobody received is removed in the same apply."""
    from tests.safety.test_lost_answers import apply_losing, no_back_off  # noqa: F401

    result, wire = apply_losing(project, monkeypatch, ("POST applications/{id}/addPassword", 1))
    assert wire.lost and result.code == 0, result.err
    [password] = passwords(project)
    assert [version["tags"]["keyId"] for version in vault(project)] == [password["keyId"]]
    converged(project)


def test_a_served_emulators_environment_may_keep_secrets_in_files_too(project, tmp_path):
    """secretFiles is for any emulator's environment: the embedded one, or one served on loopback and signed in to
    with the emulator's credential."""
    edit(project / "idamconf.yaml", "environments:\n", "environments:\n  served:\n    graphUrl: "
         f"http://127.0.0.1:8931/v1.0\n    credential: emulator\n    tenantId: 00000000-0000-0000-0000-00000000c001\n"
         f"    secretFiles: {tmp_path / 'secrets'}\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err


SECRETS_AT_THE_EDGES = """name: wordpress
displayName: WordPress Blog
owners: [alice.admin@contoso.com, grace.comms@contoso.com]
environments: [local, live]
secrets:
  - displayName: nightly job
    lifetimeDays: 730
    rotateBeforeDays: 30
    overlapDays: 30
    keyvault:
      vaultUrl: https://contoso-blog.vault.azure.net
      secretName: blog-secret
  - displayName: NIGHTLY JOB
    lifetimeDays: 731
    rotateBeforeDays: 731
    overlapDays: 732
    keyvault:
      vaultUrl: https://contoso-blog.vault.azure.net/
      secretName: Blog-Secret
  - displayName: weekly job
    keyvault:
      vaultUrl: https://contoso-blog.vault.azure.net
      secretName: weekly-secret
"""


def test_every_problem_of_a_files_secrets_is_said_at_once_each_with_its_fix(project):
    """Two years exactly, and an overlap as long as the rotation's lead, are accepted; a day more of either is not;
    names and vault secrets are compared in any case (a vault URL with or without its final slash); the rule is the
    one of the environments the application is in (here live's, an error); a third secret, all its own, is fine."""
    (project / "applications/wordpress.yaml").write_text(SECRETS_AT_THE_EDGES)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    at = f"{project / 'applications/wordpress.yaml'}:"
    assert result.err == "".join(f"{at}{line}\n" for line in [
        "15:23: error: secrets[1].rotateBeforeDays: rotateBeforeDays (731) is not shorter than lifetimeDays (731): "
        "every plan would add a new secret\n    fix: rotate some days before expiry, e.g. rotateBeforeDays: 30",
        "16:18: error: secrets[1].overlapDays: overlapDays (732) is longer than rotateBeforeDays (731): the old "
        "secret would expire before its overlap ends\n    fix: overlap at most rotateBeforeDays",
        "13:18: error: secrets[1].displayName: displayName also used by secrets[0]\n    fix: give each secret its "
        "own displayName",
        "19:19: error: secrets[1].keyvault.secretName: vault secret also used by secrets[0]\n    fix: give each "
        "secret its own vault secret",
        "14:19: error: secrets[1].lifetimeDays: a secret valid 731 days; the organisation allows at most 730 (two "
        "years) [secret.lifetime]\n    fix: use lifetimeDays: 730 or less: rotation with overlap makes a short "
        "lifetime cost nothing"]) + "\n5 error(s), 0 warning(s).\n"  # (the organisation's rules: last, session 53)


REFUSED_ONCE = """name: wordpress
displayName: WordPress Blog
owners: [alice.admin@contoso.com, grace.comms@contoso.com]
environments: [local, gov]
secrets:
  - displayName: nightly job
    keyvault:
      vaultUrl: https://contoso-blog.vault.azure.net
      secretName: blog-secret
  - displayName: weekly job
    keyvault:
      vaultUrl: https://contoso-blog.vault.azure.netX
      secretName: blog-secret
"""


GOV_GRAPH = "    graphUrl: https://graph.microsoft.us/v1.0"


def test_a_refused_environment_or_vault_url_is_said_once_and_brings_no_second_refusal(project):
    """An environment handing the emulator's credential a national cloud's Graph is refused, and that cloud is not
    held against the secrets' vault as well: an emulator's vault is the emulator's own. A vault URL refused as no
    vault's is said once: beginning like another secret's vault does not make it that vault (only a final slash
    spells the same vault twice)."""
    edit(project / "idamconf.yaml", "environments:\n", f"environments:\n  gov:\n{GOV_GRAPH}\n    credential: emulator\n"
         "    tenantId: 00000000-0000-0000-0000-00000000a001\n")
    (project / "applications/wordpress.yaml").write_text(REFUSED_ONCE)
    line = (project / "idamconf.yaml").read_text().splitlines().index(GOV_GRAPH) + 1
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert result.err == "".join([
        f"{project / 'idamconf.yaml'}:{line}:15: error: environments.gov.graphUrl: credential 'emulator' is only "
        "for an emulator on this machine, and graphUrl is not a loopback address\n"
        "    fix: write http://127.0.0.1:PORT/v1.0, http://localhost:PORT/v1.0 or http://[::1]:PORT/v1.0 (or https); "
        "for a tenant, use a Graph endpoint with another credential\n",
        f"{project / 'applications/wordpress.yaml'}:12:17: error: secrets[1].keyvault.vaultUrl: vaultUrl is not an "
        "Azure Key Vault URL, and idamconf writes a client secret to Azure Key Vault only\n"
        "    fix: write it as the portal shows it, lower case: https://<vault name>.vault.azure.net "
        "(vault.usgovcloudapi.net or vault.azure.cn in the national clouds)\n",
        "\n2 error(s), 0 warning(s).\n"])


def test_a_lifetime_rule_turned_off_everywhere_says_nothing(project):
    three_years_under_the_rule_at(project, "off")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err
    assert "lifetimeDays" not in result.out + result.err


@pytest.mark.usefixtures("applied")
def test_a_vault_refusing_the_new_secret_leaves_the_passwords_that_still_sign_in(project, monkeypatch):
    """The secret moved to a vault secret of its own (the one-writer rule asks for it): no copy of the password in
    use is there, so the plan adds one (and removes the old one once its overlap is over) -- added first, so that a
    vault refusing the write (its access not granted yet, a deleted secret of that name) leaves the application the
    password its servers hold, where the old order removed it, then the new one, and left none at all."""
    [first] = passwords(project)
    edit(project / EXPENSES, "secretName: expenses-client-secret", "secretName: expenses-web-sign-in")
    planned = plan(project)
    assert f"- {ADDRESS}#{first['keyId']}]" not in planned.out  # kept for the overlap (the test above)
    assert f"+ {ADDRESS}#next]  (create)" in planned.out

    async def refused(self, value, key_id, expires, tags):
        raise VaultError("writing secret expenses-web-sign-in to https://contoso-expenses.vault.azure.net failed: "
                         "HttpResponseError: (Forbidden) Caller is not authorized to perform action on resource.")

    real = KeyVaultSink.write
    monkeypatch.setattr(KeyVaultSink, "write", refused)
    result = apply(project)
    assert result.code == 1
    assert f"{ADDRESS}#next]: writing secret expenses-web-sign-in" in result.err
    assert [p["keyId"] for p in passwords(project)] == [first["keyId"]]  # still signs in
    monkeypatch.setattr(KeyVaultSink, "write", real)  # access granted: the next apply finishes the move
    assert apply(project).code == 0
    [moved] = [p for p in passwords(project) if p["keyId"] != first["keyId"]]
    assert signs_in(project, "expenses-web-sign-in") == moved["keyId"]
    assert signs_in(project, "expenses-client-secret") == first["keyId"]
    converged(project)
