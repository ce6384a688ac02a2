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
