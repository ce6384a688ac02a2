"""`idamconf credentials report` (issue 19): every managed application's secrets (even ones idamconf did not
add), certificates and federated credentials with expiry and days left, in three formats; exit 2 when one expires
within the window, 0 otherwise; unmanaged expiring credentials are findings; a secret's value never appears."""

from __future__ import annotations

import datetime as dt
import json

import httpx

import pytest

from idamconf.emulator import Store
from tests.emulator.conftest import serving

from .harness import applications, apply, edit, idamconf
from .test_certificates import certificate, pin, sha1


def report(project, *extra: str):
    return idamconf("credentials", "report", "-C", str(project), *extra)


def add_secret(project, name: str, days: int, display_name: str) -> dict:
    """A client secret added outside idamconf (as the organisation's pipelines do today)."""
    app = applications(project)[name]
    end = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        response = httpx.post(f"{emulator.base_url}/applications/{app['id']}/addPassword", trust_env=False,
                              headers={"Authorization": "Bearer portal"},
                              json={"passwordCredential": {"displayName": display_name, "endDateTime": end}})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("applied")
def test_nothing_expiring_exits_0_and_lists_the_federated_credentials(project):
    result = report(project)
    assert result.code == 0, result.err
    assert 'app.hr-directory-sync  federated credential "github-nightly"' in result.out
    assert "does not expire  managed" in result.out and "Nothing expires within 30 days" in result.out


@pytest.mark.usefixtures("applied")
def test_a_secret_expiring_within_the_window_exits_2_as_a_finding_without_its_value(project):
    soon = add_secret(project, "payments-api", 10, "legacy rotation")
    later = add_secret(project, "payments-api", 400, "next year")
    human, as_json, markdown = report(project), report(project, "--format", "json"), \
        report(project, "--format", "markdown")
    for result in (human, as_json, markdown):
        assert result.code == 2, result.out + result.err
        for secret in (soon["secretText"], later["secretText"]):
            assert secret not in result.out + result.err
    assert f'! app.payments-api  client secret "legacy rotation"  key id {soon["keyId"]}, hint {soon["hint"]}' \
        in human.out
    assert "(10 days left)  unmanaged" in human.out
    assert 'finding: the client secret "legacy rotation" of app.payments-api expires on' in human.out
    assert '  app.payments-api  client secret "next year"' in human.out  # listed, not marked
    document = json.loads(as_json.out)
    assert document["expiring"] is True and document["within"] == 30
    [finding] = document["findings"]
    assert (finding["key_id"], finding["hint"], finding["days_left"], finding["managed"]) == \
        (soon["keyId"], soon["hint"], 10, False)
    assert "| ⚠️ | `app.payments-api` | client secret | legacy rotation |" in markdown.out
    assert report(project, "--within", "5").code == 0  # outside a shorter window


def test_certificates_managed_or_not_with_days_left(project):
    made, _ = certificate(days=20)
    pin(project, made)
    assert apply(project).code == 0
    result = report(project, "--format", "json")
    assert result.code == 2
    [row] = [row for row in json.loads(result.out)["credentials"] if row["kind"] == "certificate"]
    assert (row["application"], row["thumbprint"], row["managed"], row["days_left"]) == \
        ("wordpress", sha1(made), True, 19)
    assert json.loads(result.out)["findings"] == []  # idamconf's own: renewed through its file, reviewed
    assert report(project, "--within", "10").code == 0


def test_an_unknown_environment_or_format_is_an_error(project):
    assert report(project, "-e", "nowhere").code == 1
    assert report(project, "--format", "xml").code == 1


@pytest.mark.usefixtures("applied")
def test_a_federated_credential_named_in_another_case_in_its_file_is_still_managed(project):
    """Entra's federated credential names are unique in any case: the file's `GitHub-Nightly` is the tenant's
    `github-nightly`, not an unmanaged credential beside it."""
    edit(project / "applications" / "hr-directory-sync.yaml", "  - name: github-nightly\n    issuer",
         "  - name: GitHub-Nightly\n    issuer")
    result = report(project)
    assert result.code == 0, result.err
    row = next(line for line in result.out.splitlines() if 'federated credential "github-nightly"' in line)
    assert row.endswith("does not expire  managed"), row
