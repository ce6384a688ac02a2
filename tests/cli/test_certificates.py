"""Certificates pinned by thumbprint (issue 19): refused before any request when the file is not the pinned
certificate, has expired or carries a private key, each at its file:line:column; added through keyCredentials with
the certificates idamconf does not manage kept; shown by display name, key id, thumbprint and validity, never its
bytes; read back through the typed SDK with nothing left over."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from idamconf import clock
from idamconf.emulator import Store
from idamconf.graph import connect as connect_module
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import assert_no_leftovers, sdk_run

from .harness import applications, apply, edit, idamconf, plan
from .test_scenarios import converged

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
APP = "applications/wordpress.yaml"
PEM, DER = serialization.Encoding.PEM, serialization.Encoding.DER


def certificate(common_name: str = "blog-signing", days: int = 365, ago: int = 1):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    made = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=ago))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    return made, key


def pin(project, made, file: str = "certificates/blog.cer", encoding=DER, extra: bytes = b"", **more) -> str:
    """Write the certificate to `file` and name it, pinned by its SHA-256, in the blog's file."""
    (project / file).parent.mkdir(parents=True, exist_ok=True)
    (project / file).write_bytes(made.public_bytes(encoding) + extra)
    sha256 = hashlib.sha256(made.public_bytes(DER)).hexdigest()
    pinned = more.pop("sha256", sha256)
    lines = "".join(f"    {name}: {value}\n" for name, value in more.items())
    with (project / APP).open("a") as stream:
        stream.write(f"certificates:\n  - file: {file}\n    sha256: {pinned}\n{lines}")
    return sha256


def sha1(made) -> str:
    return hashlib.sha1(made.public_bytes(DER)).hexdigest().upper()


def key_credentials(project) -> list:
    async def read(client):
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.applications.item.application_item_request_builder import ApplicationItemRequestBuilder

        app = next(a for a in (await client.applications.get()).value if a.unique_name == "wordpress")
        # keycredential.md: the key only on a single object's read with $select=keyCredentials
        select = ApplicationItemRequestBuilder.ApplicationItemRequestBuilderGetQueryParameters(select=["keyCredentials"])
        found = await client.applications.by_application_id(app.id).get(RequestConfiguration(query_parameters=select))
        return found.key_credentials

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        found = sdk_run(emulator.base_url, read)
    assert_no_leftovers(*found)
    return found


@pytest.fixture
def no_tenant(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a refused certificate must be refused before any request")

    monkeypatch.setattr(connect_module, "connect", refuse)


def test_a_pinned_certificate_is_added_shown_without_its_bytes_and_converges(project):
    made, _ = certificate()
    pin(project, made, displayName="blog signing 2026")
    shown = plan(project)
    assert "+ app.wordpress.certificate[blog signing 2026]  (create)" in shown.out
    assert f'thumbprint    = "{sha1(made)}"' in shown.out and "endDateTime" in shown.out
    saved = idamconf("plan", "-C", str(project), "--format", "json")
    body = base64.b64encode(made.public_bytes(DER)).decode()
    for output in (shown.out, saved.out):
        assert body[:40] not in output and "BEGIN CERTIFICATE" not in output
    [change] = [c for c in json.loads(saved.out)["changes"] if c["kind"] == "certificate"]
    assert change["after"]["keyId"] and change["after"]["thumbprint"] == sha1(made)
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    [held] = key_credentials(project)
    assert (held.display_name, held.type, held.usage) == ("blog signing 2026", "AsymmetricX509Cert", "Verify")
    assert str(held.key_id) == change["after"]["keyId"] and held.key == made.public_bytes(DER)


def test_a_certificate_named_by_a_subject_longer_than_graph_keeps_converges_under_its_first_90_characters(project):
    """Unnamed, a certificate is shown by its subject; Graph keeps a displayName of at most 90 characters, shortening
    a longer one (keycredential.md), so the plan names it as Graph will hold it -- else every plan after the apply
    would show it changed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "payroll-signing.eucs-idam.contoso.com"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Identity and Access Management"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso Pharmaceuticals Ltd")])
    now = dt.datetime.now(dt.timezone.utc)
    made = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    subject = made.subject.rfc4514_string()
    assert len(subject) > 90
    pin(project, made)
    assert f"+ app.wordpress.certificate[{subject[:90]}]  (create)" in plan(project).out
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    [held] = key_credentials(project)
    assert held.display_name == subject[:90]


def test_a_renamed_certificate_is_written_again_under_its_new_name(project):
    made, _ = certificate()
    pin(project, made, displayName="blog signing 2026")
    assert apply(project).code == 0
    edit(project / APP, "displayName: blog signing 2026", "displayName: blog signing (rotated yearly)")
    done = apply(project)
    assert done.code == 0, done.err
    [held] = key_credentials(project)
    assert (held.display_name, held.key) == ("blog signing (rotated yearly)", made.public_bytes(DER))
    converged(project)


@pytest.mark.usefixtures("applied")
def test_certificates_added_elsewhere_are_kept_and_a_removed_one_needs_allow_delete(project):
    made, _ = certificate()
    other, _ = certificate("added-in-the-portal")
    app = applications(project)["wordpress"]
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        import httpx

        portal = {"type": "AsymmetricX509Cert", "usage": "Verify", "displayName": "CN=added-in-the-portal",
                  "key": base64.b64encode(other.public_bytes(DER)).decode()}
        response = httpx.patch(f"{emulator.base_url}/applications/{app['id']}", json={"keyCredentials": [portal]},
                               headers={"Authorization": "Bearer portal"}, trust_env=False)
        assert response.status_code == 204, response.text
    converged(project)  # not idamconf's: not in the plan at all
    pin(project, made, encoding=PEM)
    assert apply(project).code == 0
    converged(project)
    assert {c.display_name for c in key_credentials(project)} == {"CN=added-in-the-portal", "CN=blog-signing"}
    text = (project / APP).read_text()
    (project / APP).write_text(text[:text.index("certificates:")])
    assert "- app.wordpress.certificate[CN=blog-signing]  (destroy)" in plan(project).out
    assert apply(project).code == 1
    assert apply(project, "--allow-delete").code == 0
    assert [c.display_name for c in key_credentials(project)] == ["CN=added-in-the-portal"]
    converged(project)


@pytest.mark.parametrize("case", ["mismatch", "sha1-mismatch", "expired", "private-key", "two-certificates",
                                  "not-a-certificate", "outside", "missing"])
def test_a_certificate_that_is_not_the_pinned_one_is_refused_before_any_request(project, case, no_tenant):
    made, key = certificate(days=-1 if case == "expired" else 365, ago=30)
    other, _ = certificate("another")
    private = key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    kwargs = {"mismatch": {"sha256": hashlib.sha256(b"another").hexdigest()},
              "sha1-mismatch": {"sha1": "AB" * 20},
              "private-key": {"encoding": PEM, "extra": private},
              "two-certificates": {"encoding": PEM, "extra": other.public_bytes(PEM)},
              "outside": {"file": "../outside.cer"}}.get(case, {})
    pin(project, made, **kwargs)
    if case == "not-a-certificate":
        (project / "certificates/blog.cer").write_bytes(b"not a certificate")
    if case == "missing":
        (project / "certificates/blog.cer").unlink()
    where = {"mismatch": r"\.sha256", "sha1-mismatch": r"\.sha1"}.get(case, r"\.file")
    shown = "'certificates/blog.cer'"
    said = {  # what is wrong, and how to fix it: the whole refusal, as the user reads it
        "mismatch": f"{shown} has SHA-256 thumbprint {hashlib.sha256(made.public_bytes(DER)).hexdigest().upper()}, "
                    "not the one pinned here\n    fix: check the certificate you were given: a thumbprint that "
                    "differs is another certificate; pin the new one only once it is confirmed out of band",
        "sha1-mismatch": f"{shown} has SHA-1 thumbprint {sha1(made)}, not the one pinned here\n    fix: check the "
                         "certificate you were given (the portal shows the SHA-1 thumbprint)",
        "expired": f"{shown} expired on {made.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%SZ')}\n    fix: ask "
                   "for a new certificate and pin it",
        "private-key": f"{shown} carries a private key\n    fix: keep only the public certificate in the "
                       "configuration (openssl x509 -in FILE -out public.cer); the private key belongs in a vault, "
                       "and this one must be treated as exposed: replace it",
        "two-certificates": f"{shown} holds 2 certificates\n    fix: keep one certificate per file",
        "not-a-certificate": f"{shown} is not an X.509 certificate (PEM or DER)\n    fix: name the public "
                             "certificate (.cer, .pem or .crt)",
        "outside": "'../outside.cer' is outside the configuration directory (an absolute path, '..' or a link "
                   "leading out)\n    fix: copy the certificate file into the configuration directory and name it "
                   "by its path",
        "missing": f"no certificate file {shown} in the configuration directory\n    fix: check the path: it is "
                   "relative to the directory holding idamconf.yaml"}[case]
    for command in ("validate", "plan", "apply"):
        result = idamconf(command, "-C", str(project), *(["--auto-approve"] if command == "apply" else []))
        assert result.code == 1, result.out + result.err
        assert re.search(rf"wordpress\.yaml:\d+:\d+: error: certificates\[0\]{where}: ", result.err), result.err
        assert said in result.err, result.err
        assert "PRIVATE KEY" not in result.err and private.decode()[40:80] not in result.err
    assert not (project / ".idamconf" / "local.db").exists()


def planned_certificate(project):
    """A certificate pinned in wordpress.yaml, and the create of it as the plan shows it (apply reads its file again)."""
    from idamconf.plan.model import Action, Change

    made, _ = certificate()
    pin(project, made)
    after = {"displayName": "CN=blog-signing", "keyId": "00000000-0000-4000-8000-000000000001",
             "thumbprint": sha1(made), "startDateTime": None, "endDateTime": None}
    return made, Change("app.wordpress.certificate[CN=blog-signing]", "certificate", "wordpress", Action.CREATE, None,
                        after, ids={"file": "certificates/blog.cer"})


def test_apply_sends_only_the_certificate_the_plan_showed(project):
    """The file is read again at apply: one swapped since the plan was made is never sent."""
    from idamconf.apply_access import StepFailed
    from idamconf.apply_credentials import _added

    made, change = planned_certificate(project)
    assert base64.b64decode(_added(project, change)["key"]) == made.public_bytes(DER)
    swapped, _ = certificate()
    (project / "certificates/blog.cer").write_bytes(swapped.public_bytes(DER))
    with pytest.raises(StepFailed, match="no longer the certificate the plan showed"):
        _added(project, change)


def test_apply_refuses_a_certificate_file_gone_since_the_plan_as_its_step_naming_the_entry(project):
    """A file the plan read and apply cannot read again (removed, or now a link leading outside) fails the
    certificate's step, saying which entry and why -- never an unexpected error that stops every chain."""
    from idamconf.apply_access import StepFailed
    from idamconf.apply_credentials import _added

    _, change = planned_certificate(project)
    (project / "certificates/blog.cer").unlink()
    with pytest.raises(StepFailed, match=r"^no certificate file 'certificates/blog\.cer' ") as refused:
        _added(project, change)
    assert refused.value.change is change  # apply reports it as this entry's: error: app.wordpress.certificate[...]


def test_a_certificate_swapped_after_validate_read_it_is_refused_by_the_plan_at_its_entry(project, monkeypatch):
    """validate reads the file, then plan reads it again to show it: another certificate by then is refused there,
    at the entry's line and column, with what is wrong and how to fix it -- never planned, never sent."""
    from idamconf.credentials import certificates as module

    made, _ = certificate()
    pin(project, made)
    second, _ = certificate("second")
    (project / "certificates/second.cer").write_bytes(second.public_bytes(DER))
    with (project / APP).open("a") as stream:
        stream.write(f"  - file: certificates/second.cer\n    sha256: {hashlib.sha256(second.public_bytes(DER)).hexdigest()}\n")
    other, _ = certificate("swapped-in")
    read = module.desired

    def swapped_first(*args, **named):  # validate is done: the files change before the plan reads them
        for name in ("blog", "second"):
            (project / f"certificates/{name}.cer").write_bytes(other.public_bytes(DER))
        return read(*args, **named)

    monkeypatch.setattr(module, "desired", swapped_first)
    result = plan(project)
    lines = (project / APP).read_text().splitlines()
    assert result.code == 1 and "certificate[" not in result.out
    for name in ("blog", "second"):  # every one refused, not only the first
        line = lines.index(f"  - file: certificates/{name}.cer") + 1
        assert (f"{project / APP}:{line}:5: error: 'certificates/{name}.cer' has SHA-256 thumbprint "
                f"{hashlib.sha256(other.public_bytes(DER)).hexdigest().upper()}, not the one pinned here\n    fix: "
                "check the certificate you were given: a thumbprint that differs is another certificate; pin the new "
                "one only once it is confirmed out of band\n") in result.err


def test_a_certificate_pinned_twice_in_one_application_is_refused_at_the_second_entry(project, no_tenant):
    """One certificate is one keyCredential (its key id derives from its thumbprint): a second entry pinning it,
    under another display name, was silently dropped by the plan; validate now says so, at that entry."""
    made, _ = certificate()
    pinned = pin(project, made, displayName="blog signing")
    with (project / APP).open("a") as stream:
        stream.write(f"  - file: certificates/blog.cer\n    sha256: {pinned.upper()}\n    displayName: blog twice\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    line = (project / APP).read_text().splitlines().index(f"    sha256: {pinned.upper()}") + 1
    assert (f"{project / APP}:{line}:13: error: certificates[1].sha256: the certificate is also pinned by "
            "certificates[0]\n    fix: name each certificate once") in result.err


def test_a_pinned_certificate_that_expires_is_refused_once_it_has(project, monkeypatch, no_tenant):
    """Expiry is judged by idamconf's one clock (clock.py), as a client secret's rotation is: a certificate valid for
    ten more days passes validate now and is refused, at its entry, once those days have passed."""
    monkeypatch.setattr(clock, "_offset", dt.timedelta(0))
    made, _ = certificate(days=10)
    pin(project, made)
    assert idamconf("validate", "-C", str(project)).code == 0
    clock.advance(days=11)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1 and re.search(r"wordpress\.yaml:\d+:\d+: error: certificates\[0\]\.file: "
                                          r"'certificates/blog\.cer' expired on ", result.err), result.err
