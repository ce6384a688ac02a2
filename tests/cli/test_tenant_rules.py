"""The examples against an emulated tenant with Microsoft's default app-management policy on, and what a real
tenant would refuse, refused by `validate` first with a fix that works."""

from __future__ import annotations

import json
import sqlite3

from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply

from .harness import applications, apply, edit, idamconf, plan

LOCAL_TENANT = "00000000-0000-0000-0000-00000000c001"  # examples/idamconf.yaml, environment local
NO_CHANGES = "No changes. The tenant matches the configuration."


def converged(project) -> None:
    result = plan(project, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


def policy_state(project) -> str:
    """The identifier URI restriction as the emulated tenant holds it ("enabled" by default: no setting stored)."""
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    row = db.execute("SELECT value FROM meta WHERE key = 'defaultAppManagementPolicy'").fetchone()
    db.close()
    if row is None:
        return "enabled"
    policy = json.loads(row[0])
    return policy["applicationRestrictions"]["identifierUris"]["uriAdditionWithoutUniqueTenantIdentifier"]["state"]


def test_the_examples_converge_in_a_tenant_with_the_default_policy_on(project):
    result = apply(project)
    assert result.code == 0, result.err
    assert policy_state(project) == "enabled"
    converged(project)
    apps = applications(project)
    assert apps["wordpress"]["identifierUris"] == [f"api://{apps['wordpress']['appId']}"]
    assert apps["payments-api"]["identifierUris"] == [f"api://{LOCAL_TENANT}/eucs-idam-payments-api"]
    assert apps["hr-self-service"]["identifierUris"] == ["https://hr.contoso.com/api"]


def test_an_app_id_uri_beside_another_converges_whatever_the_app_ids_order(project):
    """api://zz.contoso.com sorts before api://{appId} as written, after it once the app id (hexadecimal) is in
    place: the plan compares the URIs in any order, so the next plan has nothing to do."""
    edit(project / "applications/wordpress.yaml", "  - api://{appId}               # the application's own id: "
         "works in every tenant\n", "  - api://{appId}\n  - api://zz.contoso.com/blog\n")
    done = apply(project)
    assert done.code == 0, done.err
    converged(project)


def test_a_forbidden_identifier_uri_is_refused_by_validate_with_a_form_that_works(project):
    edit(project / "applications/wordpress.yaml", "api://{appId}", "api://eucs-idam-wordpress")
    for command in ("validate", "plan"):
        result = idamconf(command, "-C", str(project))
        assert result.code == 1, result.out
        assert ("applications/wordpress.yaml:14:5: error: identifierUris[0]: Graph would refuse identifier URI "
                "'api://eucs-idam-wordpress' in environments local, devl, nle, live") in result.err
        assert "fix: use api://{appId} or api://{appId}/eucs-idam-wordpress or " \
               "https://contoso.com/eucs-idam-wordpress" in result.err
    assert not (project / ".idamconf").exists(), "refused before any request"
    for working in ("api://{appId}/eucs-idam-wordpress", "https://contoso.com/eucs-idam-wordpress"):
        edit(project / "applications/wordpress.yaml", "api://eucs-idam-wordpress", working)
        assert idamconf("validate", "-C", str(project)).code == 0
        result = apply(project)
        assert result.code == 0, result.err
        converged(project)
        edit(project / "applications/wordpress.yaml", working, "api://eucs-idam-wordpress")


class RefuseIdentifierUriWrites:
    """A fault policy: the write that sets an application's identifier URIs after its create is refused (403)."""

    async def before(self, request):
        body = request.body if isinstance(request.body, dict) else {}
        if request.method == "PATCH" and set(body) == {"identifierUris"}:
            error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return Reply(403, error.body("test", "test"))
        return None

    async def after(self, request, reply):
        return reply


def test_an_app_id_uri_not_set_after_the_create_is_set_by_the_next_apply(project, monkeypatch):
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, RefuseIdentifierUriWrites(), tenant))
    assert apply(project).code == 1
    assert applications(project)["wordpress"]["identifierUris"] == []  # created, its {appId} URI not set
    monkeypatch.setattr(embedded, "open_app", real_open)
    result = plan(project)
    app_id = applications(project)["wordpress"]["appId"]
    assert "~ app.wordpress  (update)" in result.out and f"api://{app_id}" in result.out  # resolved: known now
    assert apply(project).code == 0
    converged(project)
    assert applications(project)["wordpress"]["identifierUris"] == [f"api://{app_id}"]


def test_a_personal_account_audience_gets_v2_tokens_and_converges(project):
    edit(project / "applications/hr-self-service.yaml", "tags: [hr, personal-data]",
         "tags: [hr, personal-data]\nsignInAudience: AzureADandPersonalMicrosoftAccount")
    assert idamconf("validate", "-C", str(project)).code == 1  # Graph allows such an application no app roles
    path = project / "applications/hr-self-service.yaml"
    path.write_text(path.read_text().split("appRoles:")[0])
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    app = applications(project)["hr-self-service"]
    assert app["signInAudience"] == "AzureADandPersonalMicrosoftAccount"
    assert app["api"]["requestedAccessTokenVersion"] == 2


def test_an_existing_application_moves_to_a_personal_audience_and_back(project):
    path = project / "applications/hr-self-service.yaml"
    path.write_text(path.read_text().split("appRoles:")[0])
    assert apply(project).code == 0
    edit(path, "tags: [hr, personal-data]", "tags: [hr, personal-data]\nsignInAudience: PersonalMicrosoftAccount")
    result = apply(project)
    assert result.code == 0, result.err  # the token version changes in a write of its own, first
    converged(project)
    assert applications(project)["hr-self-service"]["api"]["requestedAccessTokenVersion"] == 2
    edit(path, "\nsignInAudience: PersonalMicrosoftAccount", "")
    result = apply(project)
    assert result.code == 0, result.err  # back to v1: the audience first, then the token version
    converged(project)
    assert applications(project)["hr-self-service"]["api"]["requestedAccessTokenVersion"] == 1


def test_a_v2_application_keeps_a_uri_the_policy_spares_it(project):
    edit(project / "applications/wordpress.yaml", "  - api://{appId}",
         "  - api://eucs-idam-wordpress\napi: {requestedAccessTokenVersion: 2}")
    assert idamconf("validate", "-C", str(project)).code == 0
    result = apply(project)
    assert result.code == 0, result.err  # created as v2 first, its URI set right after
    converged(project)
    assert applications(project)["wordpress"]["identifierUris"] == ["api://eucs-idam-wordpress"]


def test_an_existing_application_moves_to_v2_and_takes_a_uri_the_policy_spares_only_v2_in_one_apply(project):
    """Graph spares such a URI only on an application that already has v2 tokens: the token version is written on
    its own, first, then the URI -- one write of both would be refused."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()
    assert apply(project).code == 0
    edit(project / "applications/wordpress.yaml", "  - api://{appId}",
         "  - api://eucs-idam-wordpress\napi: {requestedAccessTokenVersion: 2}")
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    wordpress = applications(project)["wordpress"]
    assert wordpress["api"]["requestedAccessTokenVersion"] == 2
    assert wordpress["identifierUris"] == ["api://eucs-idam-wordpress"]


def test_a_review_open_longer_than_it_recurs_is_refused_by_validate(project):
    edit(project / "applications/payments-api.yaml", "frequencyDays: 56        # every 8 weeks",
         "frequencyDays: 56\n        durationDays: 57")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "durationDays: each review stays open 57 days, longer than it recurs (every 8 weeks)" in result.err
    assert "fix: use durationDays of at most 56" in result.err


def test_a_weekly_review_stays_open_a_week_unless_told(project):
    path = project / "applications/payments-api.yaml"
    edit(path, "frequencyDays: 56        # every 8 weeks", "frequencyDays: 7")
    edit(path, "tags: [finance, pci]", "tags: [finance, pci]\nenvironments: [local]")
    edit(project / "idamconf.yaml", "  local:\n", "  local:\n    rules: {review.frequency: off}\n")
    assert idamconf("validate", "-C", str(project)).code == 0
    assert apply(project).code == 0
    converged(project)
    import sqlite3

    db = sqlite3.connect(project / ".idamconf" / "local.db")
    durations = [json.loads(doc)["reviewSettings"]["schedule"]["expiration"]["duration"]
                 for (doc,) in db.execute("SELECT doc FROM objects WHERE kind = 'assignmentPolicies'")
                 if (json.loads(doc)["reviewSettings"] or {}).get("isEnabled")]
    db.close()
    assert "P7D" in durations
