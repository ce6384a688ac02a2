"""The emulated Key Vault (emulator/keyvault.py) as the real clients use it: azure-keyvault-secrets' SecretClient,
unchanged (its own transport, its own challenge handling), against the emulator served over TLS with its own CA; the
challenge on the first call; versions, expiry, tags; refusals in Key Vault's shapes."""

from __future__ import annotations

import datetime as _dt
import socket
import ssl

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ResourceNotFoundError
from azure.keyvault.secrets import SecretClient

from idamconf import clock
from idamconf.emulator import Store
from idamconf.emulator.tls import ensure

from .conftest import serving

VAULT_HOST = "contoso-expenses.vault.localhost"


class AnyToken:
    """A credential as azure-identity's are (get_token): the emulator accepts any bearer token."""

    def __init__(self):
        self.scopes = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.append(scopes)
        return AccessToken("test-token", 4102444800)


@pytest.fixture
def localhost_names(monkeypatch):
    """`*.localhost` resolves to loopback (RFC 6761), as systemd-resolved and browsers do; this machine's resolver
    does not, so the test gives the client what such a resolver would."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def vault_client(tmp_path, localhost_names):
    tls = ensure(tmp_path / "tls")
    with serving(Store(), tls=tls) as emulator:
        port = httpx.URL(emulator.base_url).port
        credential = AnyToken()
        client = SecretClient(f"https://{VAULT_HOST}:{port}", credential, connection_verify=str(tls.ca_bundle))
        yield client, credential, port, tls
        client.close()


def test_the_real_client_writes_reads_and_lists_versions_over_tls(vault_client):
    client, credential, port, _ = vault_client
    expires = (clock.now() + _dt.timedelta(days=180)).replace(microsecond=0)
    first = client.set_secret("expenses-client-secret", "first-value", expires_on=expires, content_type="test",
                              tags={"keyId": "k1", "application": "expenses"})
    second = client.set_secret("expenses-client-secret", "second-value", tags={"keyId": "k2"})
    assert credential.scopes == [(f"https://vault.localhost:{port}/.default",)]  # from the challenge, once
    latest = client.get_secret("expenses-client-secret")
    assert (latest.value, latest.properties.version) == ("second-value", second.properties.version)
    older = client.get_secret("expenses-client-secret", first.properties.version)
    assert (older.value, older.properties.expires_on, older.properties.content_type, older.properties.tags) == \
        ("first-value", expires, "test", {"keyId": "k1", "application": "expenses"})
    versions = list(client.list_properties_of_secret_versions("expenses-client-secret"))
    assert sorted(v.tags["keyId"] for v in versions) == ["k1", "k2"]
    assert [s.name for s in client.list_properties_of_secrets()] == ["expenses-client-secret"]
    with pytest.raises(ResourceNotFoundError):
        client.get_secret("never-written")
    assert list(client.list_properties_of_secret_versions("never-written")) == []


def test_the_first_call_gets_key_vaults_bearer_challenge(tmp_path):
    with serving(Store(), tls=ensure(tmp_path / "tls")) as emulator:
        port = httpx.URL(emulator.base_url).port
        tenant = emulator.store.tenant_id
        with httpx.Client(verify=ssl.create_default_context(cafile=str(emulator.tls.ca_bundle)), trust_env=False) as http:
            # the vault's host named in Host and in TLS (SNI), reached at the loopback address
            response = http.get(f"https://127.0.0.1:{port}/secrets/x/versions?api-version=7.5",
                                headers={"Host": f"{VAULT_HOST}:{port}"}, extensions={"sni_hostname": VAULT_HOST})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.localhost:{port}"')
    assert response.json()["error"]["code"] == "Unauthorized"


def test_the_server_certificate_names_vault_hosts_inside_the_cas_constraint(tmp_path):
    from cryptography import x509

    tls = ensure(tmp_path / "tls")
    leaf = x509.load_pem_x509_certificates(tls.certificate.read_bytes())[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "*.vault.localhost" in names.get_values_for_type(x509.DNSName)


def test_refusals_are_key_vaults(api):
    headers = {"Authorization": "Bearer x"}
    base = f"https://{VAULT_HOST.replace('.localhost', '.emulator.localhost')}"
    bad_name = api.request("PUT", f"{base}/secrets/not_a_name?api-version=7.5", headers=headers, json={"value": "v"})
    no_value = api.request("PUT", f"{base}/secrets/name?api-version=7.5", headers=headers, json={"tags": {}})
    missing = api.request("GET", f"{base}/secrets/name/0123?api-version=7.5", headers=headers)
    assert (bad_name.status_code, no_value.status_code, missing.status_code) == (400, 400, 404)
    assert missing.json()["error"]["code"] == "SecretNotFound"


def test_time_moves_for_the_vault_as_for_graph(api, monkeypatch):
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))
    base = "https://contoso.vault.emulator.localhost"
    before = api.request("PUT", f"{base}/secrets/s", headers={"Authorization": "Bearer x"}, json={"value": "v"}).json()
    clock.advance(days=100)
    after = api.request("PUT", f"{base}/secrets/s", headers={"Authorization": "Bearer x"}, json={"value": "w"}).json()
    assert after["attributes"]["created"] - before["attributes"]["created"] >= 100 * 86400


def test_key_vaults_rules_each_on_its_own(api):
    """A bearer scheme without a token is no token; only `secrets` is served; a name is 1-127 characters; only a
    secret's own attributes are kept; lists and versions never carry a value."""
    base = f"https://{VAULT_HOST.replace('.localhost', '.emulator.localhost')}"
    headers = {"Authorization": "Bearer x"}
    empty = api.request("GET", f"{base}/secrets?api-version=7.5", headers={"Authorization": "Bearer   "})
    assert empty.status_code == 401
    keys = api.request("PUT", f"{base}/keys/signing?api-version=7.5", headers=headers, json={"value": "v"})
    assert keys.status_code == 404
    longest = api.request("PUT", f"{base}/secrets/{'n' * 127}?api-version=7.5", headers=headers, json={"value": "v"})
    too_long = api.request("PUT", f"{base}/secrets/{'n' * 128}?api-version=7.5", headers=headers, json={"value": "v"})
    assert (longest.status_code, too_long.status_code) == (200, 400)
    made = api.request("PUT", f"{base}/secrets/api-key?api-version=7.5", headers=headers,
                       json={"value": "s3cret-value", "attributes": {"exp": 4102444800, "colour": "red"}}).json()
    assert "colour" not in made["attributes"] and made["attributes"]["exp"] == 4102444800
    listed = api.request("GET", f"{base}/secrets?api-version=7.5", headers=headers).text
    versions = api.request("GET", f"{base}/secrets/api-key/versions?api-version=7.5", headers=headers).text
    assert "s3cret-value" not in listed + versions
    # an update changes attributes, tags and content type only: the value changes by a new version (PUT)
    updated = api.request("PATCH", f"{base}/secrets/api-key?api-version=7.5", headers=headers,
                          json={"value": "replaced", "attributes": {"enabled": False, "colour": "red"}}).json()
    assert updated["attributes"]["enabled"] is False and "colour" not in updated["attributes"]
    api.request("PATCH", f"{base}/secrets/api-key?api-version=7.5", headers=headers,
                json={"attributes": {"enabled": True}})  # (a disabled version's value is not read: enabled again)
    read = api.request("GET", f"{base}/secrets/api-key?api-version=7.5", headers=headers).json()
    assert read["value"] == "s3cret-value"


def test_a_disabled_version_is_listed_and_enabled_again_but_its_value_is_not_read(vault_client):
    """Key Vault refuses to read a disabled version (403 Forbidden, "Operation get is not allowed on a disabled
    secret.", inner error SecretDisabled), the latest or by version; its properties are still listed and updated.
    A retired password's copy (apply_secrets._retire) is therefore no value a service team's test can read."""
    from azure.core.exceptions import HttpResponseError

    client, _, _, _ = vault_client
    old = client.set_secret("expenses-client-secret", "old-value", tags={"keyId": "k1"})
    client.update_secret_properties("expenses-client-secret", old.properties.version, enabled=False)
    for version in (old.properties.version, None):
        with pytest.raises(HttpResponseError) as refused:
            client.get_secret("expenses-client-secret", version)
        assert refused.value.status_code == 403 and refused.value.error.code == "Forbidden"
        assert "Operation get is not allowed on a disabled secret." in str(refused.value)
        assert "old-value" not in str(refused.value)
    assert [v.enabled for v in client.list_properties_of_secret_versions("expenses-client-secret")] == [False]
    client.update_secret_properties("expenses-client-secret", old.properties.version, enabled=True)
    assert client.get_secret("expenses-client-secret").value == "old-value"


def test_a_deleted_secret_is_kept_by_soft_delete_and_its_name_held_until_recovered_or_purged(vault_client):
    """Key Vault's soft-delete, as the real client sees it: a deleted secret's name cannot be set again (409 Conflict,
    inner error ObjectIsDeletedButRecoverable) until the secret is recovered -- its versions back as they were, a
    disabled one still disabled -- or purged; meanwhile it is no secret (404, no versions listed) but a deleted one,
    recoverable for 90 days, and no answer carries its value."""
    from azure.core.exceptions import ResourceExistsError

    client, _, _, _ = vault_client
    old = client.set_secret("expenses-client-secret", "old-value", tags={"keyId": "k1"})
    client.set_secret("expenses-client-secret", "new-value", tags={"keyId": "k2"})
    client.update_secret_properties("expenses-client-secret", old.properties.version, enabled=False)
    deleted = client.begin_delete_secret("expenses-client-secret").result()
    assert deleted.recovery_id.endswith("/deletedsecrets/expenses-client-secret")
    assert deleted.scheduled_purge_date - deleted.deleted_date == _dt.timedelta(days=90)
    with pytest.raises(ResourceExistsError) as refused:
        client.set_secret("expenses-client-secret", "another-value")
    assert refused.value.status_code == 409 and refused.value.error.code == "Conflict"
    assert refused.value.error.innererror == {"code": "ObjectIsDeletedButRecoverable"}
    assert ("Secret expenses-client-secret is currently in a deleted but recoverable state, and its name cannot be "
            "reused; in this state, the secret can only be recovered or purged.") in str(refused.value)
    with pytest.raises(ResourceNotFoundError):
        client.get_secret("expenses-client-secret")
    assert list(client.list_properties_of_secret_versions("expenses-client-secret")) == []
    assert [s.name for s in client.list_properties_of_secrets()] == []
    assert [s.name for s in client.list_deleted_secrets()] == ["expenses-client-secret"]
    assert client.get_deleted_secret("expenses-client-secret").properties.tags == {"keyId": "k2"}
    recovering = client.begin_recover_deleted_secret("expenses-client-secret")
    recovering.wait(timeout=30)  # (the client polls for the secret until it is back)
    assert recovering.done()
    assert [(v.tags["keyId"], v.enabled) for v in client.list_properties_of_secret_versions(
        "expenses-client-secret")] == [("k1", False), ("k2", True)]
    assert client.get_secret("expenses-client-secret").value == "new-value"
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_secret("expenses-client-secret")
    client.begin_delete_secret("expenses-client-secret").wait()
    client.purge_deleted_secret("expenses-client-secret")
    assert list(client.list_deleted_secrets()) == []
    assert client.set_secret("expenses-client-secret", "fresh-value").value == "fresh-value"  # the name is free
    assert [v.tags for v in client.list_properties_of_secret_versions("expenses-client-secret")] == [None]


def test_a_deleted_secret_is_purged_when_its_recoverable_days_are_over(api, monkeypatch):
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))
    base = "https://contoso.vault.emulator.localhost"
    headers = {"Authorization": "Bearer x"}
    api.request("PUT", f"{base}/secrets/s", headers=headers, json={"value": "s3cret-value"})
    deleted = api.request("DELETE", f"{base}/secrets/s", headers=headers)
    assert deleted.status_code == 200 and "s3cret-value" not in deleted.text  # no answer about it carries its value
    clock.advance(days=89)
    assert api.request("PUT", f"{base}/secrets/s", headers=headers, json={"value": "w"}).status_code == 409
    kept = api.request("GET", f"{base}/deletedsecrets/s", headers=headers)
    listed = api.request("GET", f"{base}/deletedsecrets", headers=headers)
    assert kept.status_code == 200 and "s3cret-value" not in kept.text + listed.text
    clock.advance(days=1)
    assert api.request("GET", f"{base}/deletedsecrets/s", headers=headers).status_code == 404
    made = api.request("PUT", f"{base}/secrets/s", headers=headers, json={"value": "w"})
    assert made.status_code == 200
    assert len(api.request("GET", f"{base}/secrets/s/versions", headers=headers).json()["value"]) == 1
    assert api.request("DELETE", f"{base}/secrets/never", headers=headers).json()["error"]["code"] == "SecretNotFound"


def test_soft_deletes_paths_refuse_what_they_do_not_serve(api):
    """The deleted secrets' paths and a deleted secret's name answer what Key Vault does not serve there with 405, a
    recovery or purge of what is not deleted with 404 SecretNotFound, and never change anything on the way."""
    base = "https://contoso.vault.emulator.localhost"
    headers = {"Authorization": "Bearer x"}
    api.request("PUT", f"{base}/secrets/s", headers=headers, json={"value": "s3cret-value"})
    for method, path in (("POST", "/deletedsecrets/s"), ("POST", "/deletedsecrets/never/recover"),
                         ("DELETE", "/deletedsecrets/s")):  # s is not deleted yet
        assert api.request(method, f"{base}{path}", headers=headers).json()["error"]["code"] == "SecretNotFound", path
    assert api.request("DELETE", f"{base}/secrets/s", headers=headers).status_code == 200
    for method, path in (("POST", "/deletedsecrets"), ("PUT", "/deletedsecrets/s"), ("GET", "/deletedsecrets/s/recover"),
                         ("POST", "/secrets/s"), ("PUT", "/secrets/s/versions")):
        refused = api.request(method, f"{base}{path}", headers=headers, json={"value": "w"})
        assert refused.status_code == 405, (method, path, refused.text)
        assert "s3cret-value" not in refused.text
    assert api.request("GET", f"{base}/deletedsecrets/s", headers=headers).status_code == 200  # still deleted, as it was
    assert api.request("POST", f"{base}/deletedsecrets/s/recover", headers=headers).status_code == 200
