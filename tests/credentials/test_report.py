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


def inventory() -> list:
    """One of each: an unmanaged secret expiring today (0 days left), a secret Graph lists without name, key id or
    hint, an unmanaged certificate expired three days ago, a managed federated credential."""
    app = application(
        passwordCredentials=[{"displayName": "by hand", "keyId": "k-1", "hint": "Xy7",
                              "endDateTime": "2027-01-01T20:00:00Z"},
                             {"displayName": None, "keyId": None, "hint": None, "endDateTime": "2027-06-30T12:00:00Z"}],
        keyCredentials=[certificate("5D1C4B8E-0000-4000-8000-000000000001", "2026-12-29T12:00:00Z")
                        | {"displayName": "CN=payroll 2026"}])
    federated = {"object-1": [{"id": "f1", "name": "github-live", "subject": "repo:contoso/payroll:environment:live"}]}
    return report.rows([app], federated, {"payroll": {"github-live"}}, {"payroll": "payroll"}, NOW, 30)


FINDINGS = [
    'finding: the client secret "by hand" of app.payroll expires on 2027-01-01T20:00:00Z and is not managed by '
    "idamconf: renew or remove it (a certificate or federated credential in the application's file is reviewed and "
    "applied like the rest)",
    'finding: the certificate "CN=payroll 2026" of app.payroll expired on 2026-12-29T12:00:00Z and is not managed by '
    "idamconf: renew or remove it (a certificate or federated credential in the application's file is reviewed and "
    "applied like the rest)"]


def test_the_human_report_reads_line_by_line():
    assert report.human(inventory(), "live", 30) == "\n".join([
        "Credentials in live, expiring within 30 days marked !",
        '! app.payroll  client secret "by hand"  key id k-1, hint Xy7  expires 2027-01-01T20:00:00Z (0 days left)  '
        "unmanaged",
        '  app.payroll  client secret ""  key id , hint   expires 2027-06-30T12:00:00Z (180 days left)  unmanaged',
        '! app.payroll  certificate "CN=payroll 2026"  key id 5D1C4B8E-0000-4000-8000-000000000001, thumbprint '
        f"{SHA1}  expires 2026-12-29T12:00:00Z (expired 3 days ago)  unmanaged",
        '  app.payroll  federated credential "github-live"  subject repo:contoso/payroll:environment:live  '
        "does not expire  managed",
        "", *FINDINGS, "2 credential(s) expired or expiring within 30 days, of 4."]) + "\n"


def test_the_markdown_report_is_one_table_then_its_findings():
    assert report.markdown(inventory(), "live", 30) == "\n".join([
        "### Credentials in `live`", "",
        "| | application | kind | name | identity | expires | days left | managed |",
        "|---|---|---|---|---|---|---|---|",
        "| ⚠️ | `app.payroll` | client secret | by hand | key id `k-1`, hint `Xy7` | 2027-01-01T20:00:00Z | 0 | no |",
        "|  | `app.payroll` | client secret |  | key id , hint  | 2027-06-30T12:00:00Z | 180 | no |",
        "| ⚠️ | `app.payroll` | certificate | CN=payroll 2026 | key id `5D1C4B8E-0000-4000-8000-000000000001`, "
        f"thumbprint `{SHA1}` | 2026-12-29T12:00:00Z | -3 | no |",
        "|  | `app.payroll` | federated credential | github-live | subject `repo:contoso/payroll:environment:live` | "
        "never |  | yes |",
        "", *[f"- {line}" for line in FINDINGS], "", "2 credential(s) expired or expiring within 30 days, of 4."]) + "\n"


def test_a_report_with_nothing_expiring_says_so_with_its_count():
    quiet = rows(within=7, passwordCredentials=[secret("idamconf:nightly", "2027-03-01T12:00:00Z")])
    assert report.human(quiet, "nle", 7).endswith("\n\nNothing expires within 7 days (1 credential(s)).\n")
    assert report.markdown(quiet, "nle", 7).endswith("\n\n\nNothing expires within 7 days (1 credential(s)).\n")
    assert json.loads(report.as_json(quiet, "nle", 7))["expiring"] is False


def test_the_json_report_names_each_field_as_documented():
    document = json.loads(report.as_json(inventory(), "live", 30))
    assert {name: document[name] for name in ("format_version", "environment", "within", "expiring")} == \
        {"format_version": 1, "environment": "live", "within": 30, "expiring": True}
    certificate_row = {"application": "payroll", "kind": "certificate", "display_name": "CN=payroll 2026",
                       "key_id": "5D1C4B8E-0000-4000-8000-000000000001", "thumbprint": SHA1,
                       "expires": "2026-12-29T12:00:00Z", "days_left": -3, "managed": False, "expiring": True}
    assert document["credentials"] == [
        {"application": "payroll", "kind": "secret", "display_name": "by hand", "key_id": "k-1", "hint": "Xy7",
         "expires": "2027-01-01T20:00:00Z", "days_left": 0, "managed": False, "expiring": True},
        {"application": "payroll", "kind": "secret", "display_name": None, "key_id": None, "hint": None,
         "expires": "2027-06-30T12:00:00Z", "days_left": 180, "managed": False, "expiring": False},
        certificate_row,
        {"application": "payroll", "kind": "federated", "display_name": "github-live", "key_id": "f1",
         "subject": "repo:contoso/payroll:environment:live", "expires": None, "days_left": None, "managed": True,
         "expiring": False}]
    assert [row["display_name"] for row in document["findings"]] == ["by hand", "CN=payroll 2026"]
    assert document["findings"][1] == certificate_row


def test_applications_come_in_name_order_and_each_credential_is_managed_or_not_as_idamconf_marks_it():
    """Graph lists applications in its own order; the report lists them by their names in the configuration, and
    leaves out those it was not asked about (another project's application Graph listed first)."""
    found = [{"id": "o-2", "uniqueName": "zeta-key", "passwordCredentials": [
                 {"displayName": "idamconf:nightly", "keyId": "k-2", "hint": "Ab1", "endDateTime": "2027-06-30T12:00:00Z"}]},
             {"id": "o-0", "uniqueName": "stranger", "passwordCredentials": [
                 {"displayName": "theirs", "keyId": "k-0", "hint": "Zz9", "endDateTime": "2027-01-02T12:00:00Z"}]},
             {"id": "o-1", "uniqueName": "alpha-key", "passwordCredentials": [
                 {"displayName": "by hand", "keyId": "k-1", "hint": "Cd2", "endDateTime": "2027-06-30T12:00:00Z"}]}]
    federated = {"o-1": [{"id": "f1", "name": "github-live", "subject": "repo:o/r:environment:live"}]}
    made = report.rows(found, federated, {"zeta-key": {"github-live"}}, {"zeta-key": "payroll", "alpha-key": "expenses"},
                       NOW, 30)
    assert [(row.application, row.kind, row.display_name, row.managed) for row in made] == [
        ("expenses", "secret", "by hand", False), ("expenses", "federated", "github-live", False),
        ("payroll", "secret", "idamconf:nightly", True)]


def test_days_left_at_the_edges_of_a_day_and_of_the_window():
    """Expiring this very second is expired (a day ago, never "0"); two days and a second ago is three days; exactly
    the window's days left is within it."""
    found = rows(passwordCredentials=[secret("now", "2027-01-01T12:00:00Z"), secret("gone", "2026-12-30T11:59:59Z"),
                                      secret("edge", "2027-01-31T12:00:00Z"), secret("beyond", "2027-02-01T12:00:00Z")])
    assert [(row.display_name, row.days_left, row.expiring) for row in found] == \
        [("now", -1, True), ("gone", -3, True), ("edge", 30, True), ("beyond", 31, False)]
    assert "expires 2027-01-01T12:00:00Z (expired 1 days ago)" in report.human(found, "live", 30)


def test_a_credential_graph_lists_without_a_name_or_subject_is_shown_as_blank():
    federated = {"object-1": [{"id": "f1", "name": None, "subject": None}]}
    found = rows(federated=federated, passwordCredentials=[{"keyId": "k-1", "endDateTime": "2026-12-31T12:00:00Z"}])
    human = report.human(found, "live", 30)
    assert '  app.payroll  federated credential ""  subject   does not expire  unmanaged\n' in human
    assert 'finding: the client secret "" of app.payroll expired on 2026-12-31T12:00:00Z' in human


def test_the_json_report_is_indented_as_the_other_json_documents():
    assert report.as_json(inventory(), "live", 30).startswith('{\n  "format_version": 1,\n  "environment": "live",\n')
