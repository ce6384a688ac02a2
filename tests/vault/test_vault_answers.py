"""What apply and plan make of the vault's own answers, through the real azure-keyvault-secrets client and the
embedded emulator's vault: a vault that refuses to list or disable a secret's versions is named in one line with
its refusal, and a version idamconf did not write (someone set the secret by hand) is left alone."""

from __future__ import annotations

import pytest

from idamconf import clock
from idamconf.emulator import keyvault
from idamconf.emulator.vault_store import VaultStore
from tests.cli.harness import apply, plan
from tests.cli.test_client_secrets import ADDRESS, passwords, real_time, vault  # noqa: F401 (real_time: a fixture)

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
SECRET = "secret expenses-client-secret in https://contoso-expenses.vault.azure.net"
FORBIDDEN = "The user, group or application does not have secrets permission on key vault 'contoso-expenses'."


GATEWAY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


def refusing(monkeypatch, method: str, last_part: str | None = None, bare: bool = False, page: bool = False) -> None:
    """The emulated vault answers 403, as Key Vault does without the access policy, to `method` (on a path whose last
    part is `last_part`, if given); `bare`: with no body at all, as a proxy or gateway in front of it might; `page`:
    a gateway's own HTML error page (502), not a Key Vault answer at all."""
    real = keyvault._route

    def route(vaults, name, base, asked, parts, body):
        if asked == method and (last_part is None or parts[-1:] == [last_part]):
            if page:
                return 502, {"content-type": "text/html"}, GATEWAY_PAGE
            if bare:
                return 403, {}, b""
            return keyvault._json(403, {"error": {"code": "Forbidden", "message": FORBIDDEN}})
        return real(vaults, name, base, asked, parts, body)
    monkeypatch.setattr(keyvault, "_route", route)


@pytest.mark.usefixtures("applied")
def test_a_vault_refusing_to_list_a_secrets_versions_stops_the_plan_naming_the_vault(project, monkeypatch):
    refusing(monkeypatch, "GET", "versions")
    result = plan(project)
    assert result.code == 1
    assert f"reading the versions of {SECRET} failed: HttpResponseError: (Forbidden) {FORBIDDEN}" in result.err
    refusing(monkeypatch, "GET", "versions", bare=True)  # no error document: the status, by its reason phrase
    result = plan(project)
    assert result.code == 1
    assert (f"reading the versions of {SECRET} failed: HttpResponseError: Operation returned an invalid status "
            "'Forbidden'") in result.err
    refusing(monkeypatch, "GET", "versions", page=True)  # a gateway's HTML page: its status, not a parse error
    result = plan(project)
    assert result.code == 1
    assert (f"reading the versions of {SECRET} failed: HttpResponseError: Operation returned an invalid status "
            "'Bad Gateway'") in result.err


@pytest.mark.usefixtures("applied")
def test_a_vault_refusing_to_disable_a_copy_says_so_and_the_password_stays(project, monkeypatch):
    [first] = passwords(project)
    clock.advance(days=150)
    assert apply(project).code == 0  # the rotation's new secret
    clock.advance(days=14, seconds=60)  # the overlap is over: the old one goes
    refusing(monkeypatch, "PATCH")
    result = apply(project)
    assert result.code == 1
    assert (f"{ADDRESS}#{first['keyId']}]: not removed from the application, as disabling its version of {SECRET} "
            f"failed: HttpResponseError: (Forbidden) {FORBIDDEN}") in result.err
    assert first["keyId"] in [p["keyId"] for p in passwords(project)]
    assert [(v["tags"]["keyId"], v["attributes"]["enabled"]) for v in vault(project)][0] == (first["keyId"], True)


@pytest.mark.usefixtures("applied")
def test_a_version_someone_set_by_hand_is_left_alone_through_a_rotation(project):
    [first] = passwords(project)
    store = VaultStore(str(project / ".idamconf" / "local.vault.db"))
    try:  # `az keyvault secret set` by someone: a version without idamconf's tags
        store.add("contoso-expenses", "expenses-client-secret", "0" * 32, {
            "value": "set by hand", "contentType": None, "tags": {},
            "attributes": {"enabled": True, "created": 0, "updated": 0}})
    finally:
        store.close()
    clock.advance(days=150)
    assert apply(project).code == 0
    clock.advance(days=14, seconds=60)
    result = apply(project)
    assert result.code == 0, result.err
    assert f"{ADDRESS}#{first['keyId']}]: removed" in result.out
    versions = vault(project)
    assert [(v["tags"].get("keyId"), v["attributes"]["enabled"]) for v in versions] == [
        (first["keyId"], False), (None, True), (passwords(project)[0]["keyId"], True)]


def deleting(project, *steps: str) -> None:
    """Someone acts on the vault secret with the real client, as `az keyvault secret delete|recover|purge` would:
    `steps` of "delete", "recover", "purge", in order."""
    import asyncio
    from types import SimpleNamespace

    from idamconf.vault.vaults import Vaults

    target = SimpleNamespace(embedded=True, emulator_state=str(project / ".idamconf" / "local.db"), tenant_id=None,
                             credential="emulator", graph_url="http://emulator.localhost/v1.0")
    vaults = Vaults(target, SimpleNamespace(secret_files=None), project)

    async def go():
        client = vaults.sink("https://contoso-expenses.vault.azure.net", "expenses-client-secret").client
        try:
            for step in steps:
                await {"delete": client.delete_secret, "recover": client.recover_deleted_secret,
                       "purge": client.purge_deleted_secret}[step]("expenses-client-secret")
        finally:
            await vaults.close()

    asyncio.run(go())


@pytest.mark.usefixtures("applied")
def test_a_deleted_vault_secret_kept_by_soft_delete_is_said_with_its_fix_and_no_password_is_left(project,
                                                                                                monkeypatch):
    """Someone deletes the vault secret (the docs advised deleting an old one); soft-delete holds its name, so Key
    Vault refuses the rotation's write (409, ObjectIsDeletedButRecoverable): the step says so, with how to recover
    or purge it, the new password is removed again, and no value is in the output. Recovered, the next apply
    finishes the rotation."""
    from idamconf.emulator import credentials

    canary = "CANARY-rotation-value-0123456789abcdefghij"
    monkeypatch.setattr(credentials, "_new_secret", lambda: canary)
    [first] = passwords(project)
    clock.advance(days=150)  # the rotation is due
    deleting(project, "delete")
    result = apply(project)
    assert result.code == 1 and canary not in result.out + result.err
    assert (f"{ADDRESS}#next]: writing {SECRET.replace(' in ', ' to ')} failed: ResourceExistsError: (Conflict) "
            "Secret expenses-client-secret is currently in a deleted but recoverable state, and its name cannot be "
            "reused; in this state, the secret can only be recovered or purged.; the new secret was removed again, so "
            "that none exists that nobody holds. Fix: a secret of that name was deleted, and Key Vault keeps it "
            "(soft-delete) until it is purged: recover it (`az keyvault secret recover --vault-name contoso-expenses "
            "--name expenses-client-secret`) and apply again -- its versions come back, the disabled ones disabled -- "
            "or purge it (`az keyvault secret purge --vault-name contoso-expenses --name expenses-client-secret`: its "
            "values are gone for good), or give the secret another keyvault.secretName") in result.err
    assert [p["keyId"] for p in passwords(project)] == [first["keyId"]]
    deleting(project, "recover")
    done = apply(project)
    assert done.code == 0, done.err
    assert [(v["tags"]["keyId"], v["attributes"]["enabled"]) for v in vault(project)] == [
        (first["keyId"], True), (max(passwords(project), key=lambda p: p["startDateTime"])["keyId"], True)]


@pytest.mark.usefixtures("applied")
def test_a_purged_vault_secret_is_written_again_from_scratch(project):
    """Purged, the name is free: the plan finds no copy of the password in use, adds a new one, and keeps the old
    one for the overlap (its readers lost their copy with the purge)."""
    [first] = passwords(project)
    deleting(project, "delete", "purge")
    result = apply(project)
    assert result.code == 0, result.err
    [new] = [p for p in passwords(project) if p["keyId"] != first["keyId"]]
    assert [v["tags"]["keyId"] for v in vault(project)] == [new["keyId"]]
