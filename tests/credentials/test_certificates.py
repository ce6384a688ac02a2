"""Which certificates of an application as Graph lists it are idamconf's, and how their dates are shown
(credentials/certificates.live): only those whose key id is derived from the application and their SHA-1 thumbprint;
Graph's dates in one form whatever precision it sends them with, so that a certificate never shows as changed for
it. The CLI tests (tests/cli/test_certificates.py) add and remove certificates through the emulator."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from idamconf.credentials import certificates

SHA1 = "AB" * 20


def identifier(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_only_certificates_whose_key_id_is_idamconfs_are_in_the_plan_with_their_dates_in_one_form():
    ours = certificates.key_id("payroll", SHA1)
    sha256 = "CD" * 32
    app = {"uniqueName": "payroll", "keyCredentials": [
        {"displayName": "CN=payroll", "keyId": ours.upper(), "customKeyIdentifier": identifier(bytes.fromhex(SHA1)),
         "startDateTime": "2026-12-01T12:00:00.1234567Z", "endDateTime": "2027-12-01T12:00:00+00:00"},
        {"displayName": "portal", "keyId": "5d1c4b8e-0000-4000-8000-000000000001",
         "customKeyIdentifier": identifier(bytes.fromhex(SHA1))},
        # a SHA-256 thumbprint as identifier (another tool's), even under the key id it would give: not idamconf's
        {"displayName": "other tool", "keyId": certificates.key_id("payroll", sha256),
         "customKeyIdentifier": identifier(bytes.fromhex(sha256))},
        {"displayName": "no identifier", "keyId": certificates.key_id("payroll", SHA1)},
        {"displayName": "undated", "keyId": certificates.key_id("payroll", "EF" * 20),
         "customKeyIdentifier": identifier(bytes.fromhex("EF" * 20)), "endDateTime": "not a date"}]}
    assert certificates.live(app, "app.payroll", {"id": "object-1"}) == [
        ("certificate", "app.payroll.certificate[CN=payroll]",
         {"displayName": "CN=payroll", "keyId": ours, "thumbprint": SHA1, "startDateTime": "2026-12-01T12:00:00Z",
          "endDateTime": "2027-12-01T12:00:00Z"}, ours, {"id": "object-1"}),
        ("certificate", "app.payroll.certificate[undated]",
         {"displayName": "undated", "keyId": certificates.key_id("payroll", "EF" * 20), "thumbprint": "EF" * 20,
          "startDateTime": None, "endDateTime": "not a date"}, certificates.key_id("payroll", "EF" * 20),
         {"id": "object-1"})]


def test_a_thumbprint_is_read_only_from_an_identifier_of_twenty_bytes():
    assert certificates.thumbprint_of({"customKeyIdentifier": identifier(bytes.fromhex(SHA1))}) == SHA1
    assert certificates.thumbprint_of({"customKeyIdentifier": identifier(bytes(32))}) is None
    assert certificates.thumbprint_of({"customKeyIdentifier": None}) is None
    # not base64 (one character outside its alphabet): no thumbprint, even where the rest would decode to 20 bytes
    assert certificates.thumbprint_of({"customKeyIdentifier": "!" + identifier(bytes.fromhex(SHA1))}) is None


def test_dates_are_shown_in_utc_on_a_machine_fourteen_hours_ahead(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Etc/GMT-14")
    time.tzset()
    try:
        ours = certificates.key_id("payroll", SHA1)
        app = {"uniqueName": "payroll", "keyCredentials": [
            {"displayName": "CN=payroll", "keyId": ours, "customKeyIdentifier": identifier(bytes.fromhex(SHA1)),
             "startDateTime": "2026-12-01T12:00:00Z", "endDateTime": "2027-12-01T12:00:00Z"}]}
        [(_, _, attributes, _, _)] = certificates.live(app, "app.payroll", {})
        assert (attributes["startDateTime"], attributes["endDateTime"]) == ("2026-12-01T12:00:00Z",
                                                                            "2027-12-01T12:00:00Z")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_pin_written_with_colons_or_spaces_in_any_case_is_the_same_pin_and_one_expiring_now_is_refused(tmp_path):
    from idamconf.config.model import Location
    from tests.cli.test_certificates import DER, certificate

    made, _ = certificate()
    (tmp_path / "blog.cer").write_bytes(made.public_bytes(DER))
    facts = certificates.read_certificate(tmp_path, certificates.Certificate("blog.cer", "0" * 64), check_pin=False)
    spaced = " ".join(":".join(facts.sha256[i:i + 2] for i in range(j, j + 8, 2)) for j in range(0, 64, 8)).lower()
    sha1 = ":".join(facts.sha1[i:i + 2] for i in range(0, 40, 2)).lower()
    [pinned] = certificates.certificates_of({"certificates": [{"file": "blog.cer", "sha256": spaced, "sha1": sha1}]},
                                            Location("app.yaml"))
    assert certificates.read_certificate(tmp_path, pinned) == facts
    with pytest.raises(certificates.Refused) as refused:  # valid until this very second: refused, as if expired
        certificates.read_certificate(tmp_path, pinned, now=facts.end)
    assert refused.value.summary == f"'blog.cer' expired on {facts.end.strftime('%Y-%m-%dT%H:%M:%SZ')}"


def test_a_certificate_idamconf_added_in_an_earlier_release_is_still_recognised_as_its_own():
    """Key ids mark the certificates idamconf added, in tenants it wrote to long ago: the one it gives an application's
    certificate never changes (a new one would leave the old certificate unmanaged and add the file's again)."""
    from idamconf.credentials import report

    written = {"displayName": "CN=payroll", "keyId": "93e46e83-6780-5bd2-938c-de1cf44c2071",  # as Graph holds it
               "customKeyIdentifier": identifier(bytes.fromhex(SHA1)), "endDateTime": "2027-12-01T12:00:00Z"}
    app = {"id": "object-1", "uniqueName": "payroll", "keyCredentials": [written]}
    [(_, address, attributes, identity, _)] = certificates.live(app, "app.payroll", {})
    assert (address, attributes["keyId"], identity) == ("app.payroll.certificate[CN=payroll]", written["keyId"],
                                                        written["keyId"])
    now = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    [row] = report.rows([app], {}, {}, {"payroll": "payroll"}, now, within=30)
    assert row.managed
