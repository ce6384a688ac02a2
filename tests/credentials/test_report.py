"""The expiry report's pure part: days left (negative once expired), the window, what is managed and what is a
finding, and every value from the tenant escaped where it is written (credentials/report.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json

from idamconf.credentials import certificates, report

NOW = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
SHA1 = "AB" * 20


def application(**credentials) -> dict:
    return {"id": "object-1", "uniqueName": "payroll", **credentials}


def secret(name: str, end: str) -> dict:
    return {"displayName": name, "keyId": f"key-{name}", "hint": "Xy7", "endDateTime": end}


def certificate(key_id: str, end: str = "2027-01-20T12:00:00Z") -> dict:
    return {"displayName": "CN=payroll", "keyId": key_id, "endDateTime": end, "type": "AsymmetricX509Cert",
            "customKeyIdentifier": base64.b64encode(bytes.fromhex(SHA1)).decode()}


def rows(within: int = 30, federated=None, managed=None, **credentials):
    return report.rows([application(**credentials)], federated or {}, managed or {}, {"payroll": "payroll"}, NOW,
                       within)


def test_days_left_and_the_window():
    found = rows(passwordCredentials=[secret("soon", "2027-01-11T13:00:00Z"), secret("gone", "2026-12-30T12:00:00Z"),
                                      secret("later", "2028-01-01T00:00:00Z")])
    assert [(row.display_name, row.days_left, row.expiring) for row in found] == \
        [("soon", 10, True), ("gone", -2, True), ("later", 364, False)]
    assert report.expiring(found)
    assert not report.expiring(rows(within=5, passwordCredentials=[secret("later", "2027-01-11T13:00:00Z")]))


def test_a_certificate_is_managed_when_its_key_id_is_idamconfs():
    ours = certificates.key_id("payroll", SHA1)
    found = rows(keyCredentials=[certificate(ours), certificate("5d1c4b8e-0000-4000-8000-000000000001")])
    assert [(row.managed, row.finding, row.detail) for row in found] == [(True, False, SHA1), (False, True, SHA1)]


def test_federated_credentials_never_expire_and_are_managed_when_the_file_names_them():
    federated = {"object-1": [{"id": "f1", "name": "GitHub-Live", "subject": "repo:o/r:environment:live"},
                              {"id": "f2", "name": "by-hand", "subject": "repo:o/r:pull_request"}]}
    found = rows(federated=federated, managed={"payroll": {"github-live"}})
    assert [(row.display_name, row.managed, row.end, row.expiring) for row in found] == \
        [("GitHub-Live", True, None, False), ("by-hand", False, None, False)]


def test_values_from_the_tenant_are_escaped_in_every_format():
    hostile = "x\x1b[31m | `y`\n::error::z"
    found = rows(passwordCredentials=[secret(hostile, "2027-01-02T12:00:00Z")])
    human = report.human(found, "live", 30)
    assert "\x1b" not in human and "\n::error::" not in human
    markdown = report.markdown(found, "live", 30)
    row = next(line for line in markdown.splitlines() if line.startswith("| ⚠️"))
    assert row.count(" | ") == 8 - 1 and "\n::error::" not in markdown  # the name's pipe cannot add a column
    document = json.loads(report.as_json(found, "live", 30))
    assert document["credentials"][0]["display_name"] == hostile and document["findings"][0]["days_left"] == 1
