"""`idamconf emulator serve --tls`: https with the emulator's own CA, which clients trust through a bundle on disk
(SSL_CERT_FILE, REQUESTS_CA_BUNDLE, or an environment's caBundle) and nothing else."""

from __future__ import annotations

import datetime
import ssl
import stat

import httpx
import pytest
from cryptography import x509

from idamconf.emulator import Store, server, tls
from idamconf.emulator.seed import seed_file
from tests.cli.harness import apply, edit, idamconf, plan

from .conftest import serving

AUTH = {"Authorization": "Bearer test"}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tls.TlsFiles:
    return tls.ensure(tmp_path_factory.mktemp("tls") / "t.db.tls")


def test_the_keys_are_the_owners_alone_and_the_ca_outlives_restarts(files):
    for key in (files.private_key, files.private_key.with_name("ca-key.pem")):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = files.ca_bundle.read_bytes(), files.certificate.read_bytes()
    again = tls.ensure(files.ca_bundle.parent)
    assert (again.ca_bundle.read_bytes(), again.certificate.read_bytes()) == before


def test_an_expiring_server_certificate_is_renewed_under_the_same_ca(tmp_path):
    made = tls.ensure(tmp_path / "x.tls")
    ca, leaf = made.ca_bundle.read_bytes(), made.certificate.read_bytes()
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=tls.SERVER_DAYS - 3)
    renewed = tls.ensure(tmp_path / "x.tls", now=later)
    assert renewed.ca_bundle.read_bytes() == ca
    assert renewed.certificate.read_bytes() != leaf
    assert x509.load_pem_x509_certificate(renewed.certificate.read_bytes()).not_valid_after_utc > later


def test_the_ca_may_vouch_for_loopback_names_only(files):
    """A bundle that leaks from a laptop cannot make anyone trust a real host: the CA is name-constrained."""
    ca = x509.load_pem_x509_certificate(files.ca_bundle.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    permitted = {str(name.value) for name in constraints.value.permitted_subtrees}
    assert permitted == {"localhost", "127.0.0.1/32", "::1/128"}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_client_that_trusts_the_bundle_reaches_graph_and_one_that_does_not_is_refused(tmp_path, files, host):
    with serving(Store(tmp_path / "t.db"), tls=files) as emulator:
        url = emulator.base_url.replace("127.0.0.1", host) + "/applications"
        trusting = ssl.create_default_context(cafile=str(files.ca_bundle))
        with httpx.Client(verify=trusting, trust_env=False, timeout=30) as client:
            assert client.get(url, headers=AUTH).json()["value"] == []
        with httpx.Client(trust_env=False, timeout=30) as client, pytest.raises(httpx.ConnectError,
                                                                                  match="CERTIFICATE_VERIFY_FAILED"):
            client.get(url, headers=AUTH)


def test_idamconf_plans_and_applies_through_https_with_the_environments_ca_bundle(project, files):
    store = Store(project.parent / "served.db")
    seed_file(store, project / "emulator" / "directory.yaml")
    with serving(store, tls=files) as emulator:
        edit(project / "idamconf.yaml", "  devl:\n", f"  served:\n    graphUrl: {emulator.base_url}\n"
             "    tenantId: 00000000-0000-0000-0000-00000000c001\n    verifiedDomains: [contoso.com]\n"
             f"    credential: emulator\n    caBundle: {files.ca_bundle}\n  devl:\n")
        assert apply(project, "--env", "served", "--auto-approve").code == 0
        again = plan(project, "--env", "served", "--detailed-exitcode")
        assert again.code == 0, again.out + again.err
        assert again.out.startswith(f"Target: served — {emulator.base_url}")
        edit(project / "idamconf.yaml", f"    caBundle: {files.ca_bundle}\n", "")
        untrusted = plan(project, "--env", "served")
    assert untrusted.code == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.err, untrusted.err
    # said once, with the fix, not retried as if the emulator were down
    assert untrusted.err.startswith("error: the TLS certificate of 127.0.0.1 is not trusted"), untrusted.err
    assert "set the environment's caBundle to the ca.pem it printed" in untrusted.err


def test_a_ca_bundle_for_microsoft_graph_is_refused_before_any_request(project):
    edit(project / "idamconf.yaml", "    credential: default\n", "    credential: default\n"
         "    caBundle: /tmp/corporate-proxy.pem\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "idamconf.yaml:" in result.err and "caBundle is only for a served emulator on loopback" in result.err
    assert "fix: remove caBundle" in result.err


def test_serve_with_tls_prints_the_https_address_and_the_bundle_to_trust(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(server, "serve", lambda state, host, port, **kwargs: calls.append(kwargs["tls"]))
    result = idamconf("emulator", "serve", "--tls", "--port", "8999", "--state", str(tmp_path / "t.db"))
    assert result.code == 0, result.err
    bundle = tmp_path / "t.db.tls" / "ca.pem"
    assert result.out.startswith("Graph emulator at https://127.0.0.1:8999/v1.0")
    assert f"export SSL_CERT_FILE={bundle} REQUESTS_CA_BUNDLE={bundle}" in result.out
    assert calls == [tls.TlsFiles(bundle, bundle.with_name("server.pem"), bundle.with_name("server-key.pem"))]


def _certificate(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())  # the first of a chain: the server's own


def _lifetime(certificate: x509.Certificate) -> datetime.timedelta:
    return certificate.not_valid_after_utc - certificate.not_valid_before_utc


def test_the_server_certificate_lives_90_days_for_every_loopback_name_and_the_ca_five_years(files):
    """macOS refuses a server certificate of over 825 days; a bundle that leaks stops being trusted within years."""
    leaf, ca = _certificate(files.certificate), _certificate(files.ca_bundle)
    assert datetime.timedelta(days=89) <= _lifetime(leaf) <= datetime.timedelta(days=90, minutes=5)
    assert datetime.timedelta(days=4 * 365) <= _lifetime(ca) <= datetime.timedelta(days=5 * 365, minutes=5)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(name.value) for name in names} == {"localhost", "*.vault.localhost", "127.0.0.1", "::1"}


def test_a_ca_near_its_end_is_replaced(tmp_path):
    made = tls.ensure(tmp_path / "x.tls")
    later = _certificate(made.ca_bundle).not_valid_after_utc - datetime.timedelta(days=3)
    renewed = tls.ensure(tmp_path / "x.tls", now=later)
    assert _certificate(renewed.ca_bundle).not_valid_after_utc > later + datetime.timedelta(days=365)
    _certificate(renewed.certificate).verify_directly_issued_by(_certificate(renewed.ca_bundle))


def test_a_new_ca_comes_with_a_server_certificate_it_signed(tmp_path):
    """An operator who deletes the bundle to start over gets a CA whose bundle verifies what is served."""
    made = tls.ensure(tmp_path / "x.tls")
    made.ca_bundle.unlink()
    again = tls.ensure(tmp_path / "x.tls")
    _certificate(again.certificate).verify_directly_issued_by(_certificate(again.ca_bundle))


def test_a_server_certificate_missing_a_host_name_is_issued_again(tmp_path, monkeypatch):
    monkeypatch.setattr(tls, "VAULT_NAMES", ())  # a certificate made before the Key Vault emulator named its hosts
    tls.ensure(tmp_path / "x.tls")
    monkeypatch.undo()
    names = _certificate(tls.ensure(tmp_path / "x.tls").certificate).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert "*.vault.localhost" in {str(name.value) for name in names}
