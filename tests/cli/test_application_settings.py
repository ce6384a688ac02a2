"""Every setting of the application-registration table (idamconf/surface/) goes to Graph as Graph names it, reads
back through the official typed SDK with nothing left over, converges, changes, and goes back to its default when
the file stops saying it; and each environment gets its own values (overrides)."""

from __future__ import annotations

import re

from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import applications, apply, edit, plan, tenant
from .test_scenarios import converged

WORDPRESS = "applications/wordpress.yaml"
SETTINGS = """notes: Blog for the communications team.
serviceManagementReference: IDAM-1234
info:
  marketingUrl: https://contoso.com/blog
  privacyStatementUrl: https://contoso.com/privacy
  supportUrl: https://support.contoso.com/blog
  termsOfServiceUrl: https://contoso.com/terms
publicClient:
  redirectUris: [http://localhost, msal00000000-0000-0000-0000-000000000001://auth]
isFallbackPublicClient: true
groupMembershipClaims: SecurityGroup
optionalClaims:
  idToken: [{name: upn, essential: true}, {name: email}]
  accessToken: [{name: groups, additionalProperties: [emit_as_roles]}]
servicePrincipal:
  appRoleAssignmentRequired: false
  hideFromUsers: true
  notificationEmailAddresses: [idam-team@contoso.com]
  loginUrl: https://blog.contoso.com/login
  preferredSingleSignOnMode: oidc
  tags: [WindowsAzureActiveDirectoryIntegratedApp, team:comms]
"""
WEB = """web:
  homePageUrl: https://blog.contoso.com/
  logoutUrl: https://blog.contoso.com/logout
  implicitGrantSettings: {enableIdTokenIssuance: true, enableAccessTokenIssuance: true}
"""
API = "api:\n  acceptMappedClaims: true\n  knownClientApplications: [0e6d3e2a-8b7c-4a1e-9f2d-1c3b5a7d9e01]\n"


def with_settings(project) -> None:
    text = (project / WORDPRESS).read_text().split("# For whoever manages it")[0]  # the example's notes: ours below
    text = text.replace("web:\n", WEB, 1) + SETTINGS + API
    (project / WORDPRESS).write_text(text)


def read_back(project):
    async def read(client):
        apps = await client.applications.get()
        principals = await client.service_principals.get()
        return apps.value, principals.value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        apps, principals = sdk_run(emulator.base_url, read)
    app = next(a for a in apps if a.unique_name == "wordpress")
    principal = next(p for p in principals if p.app_id == app.app_id)
    for model in (app, app.web, app.web.implicit_grant_settings, app.info, app.api, app.public_client,
                  app.optional_claims, *app.optional_claims.id_token, principal):
        assert model.additional_data == {}, (type(model).__name__, model.additional_data)
    return app, principal


def test_every_setting_reaches_graph_as_graph_names_it_and_converges(project):
    with_settings(project)
    first = plan(project)
    assert re.search(r'serviceManagementReference +\= "IDAM-1234"', first.out)
    assert re.search(r"web.implicitGrantSettings.enableIdTokenIssuance += true", first.out)
    assert apply(project).code == 0
    converged(project)
    app, principal = read_back(project)
    assert (app.notes, app.service_management_reference) == ("Blog for the communications team.", "IDAM-1234")
    assert app.info.support_url == "https://support.contoso.com/blog"
    assert (app.web.home_page_url, app.web.logout_url) == ("https://blog.contoso.com/", "https://blog.contoso.com/logout")
    assert app.web.implicit_grant_settings.enable_id_token_issuance is True
    assert app.web.implicit_grant_settings.enable_access_token_issuance is True
    assert sorted(app.public_client.redirect_uris) == ["http://localhost",
                                                       "msal00000000-0000-0000-0000-000000000001://auth"]
    assert app.is_fallback_public_client is True and app.group_membership_claims == "SecurityGroup"
    assert sorted(c.name for c in app.optional_claims.id_token) == ["email", "upn"]
    assert app.optional_claims.access_token[0].additional_properties == ["emit_as_roles"]
    assert app.api.accept_mapped_claims is True
    assert [str(k) for k in app.api.known_client_applications] == ["0e6d3e2a-8b7c-4a1e-9f2d-1c3b5a7d9e01"]
    assert principal.app_role_assignment_required is False
    assert "HideApp" in principal.tags and "team:comms" in principal.tags and "idamconf:eucs-idam" in principal.tags
    assert principal.notification_email_addresses == ["idam-team@contoso.com"]
    assert (principal.login_url, principal.preferred_single_sign_on_mode) == ("https://blog.contoso.com/login", "oidc")


def test_a_list_setting_is_a_set_whatever_its_order(project):
    """Graph keeps a list setting (redirect URIs, known clients) as a set: written in another order, it is the same
    setting -- nothing to change."""
    with_settings(project)
    assert apply(project).code == 0
    edit(project / WORDPRESS, "redirectUris: [http://localhost, msal00000000-0000-0000-0000-000000000001://auth]",
         "redirectUris: [msal00000000-0000-0000-0000-000000000001://auth, http://localhost]")
    converged(project)


def test_each_setting_changes_and_goes_back_to_its_default(project):
    with_settings(project)
    assert apply(project).code == 0
    edit(project / WORDPRESS, "serviceManagementReference: IDAM-1234", "serviceManagementReference: IDAM-5678")
    edit(project / WORDPRESS, "enableAccessTokenIssuance: true", "enableAccessTokenIssuance: false")
    edit(project / WORDPRESS, "hideFromUsers: true", "hideFromUsers: false")
    changed = plan(project)
    assert re.search(r'serviceManagementReference +: "IDAM-1234" → "IDAM-5678"', changed.out)
    assert "- \"HideApp\"" in changed.out
    assert apply(project).code == 0
    converged(project)
    app = applications(project)["wordpress"]
    assert app["serviceManagementReference"] == "IDAM-5678"
    assert app["web"]["implicitGrantSettings"]["enableAccessTokenIssuance"] is False
    (project / WORDPRESS).write_text((project / WORDPRESS).read_text().replace(WEB.replace(
        "enableAccessTokenIssuance: true", "enableAccessTokenIssuance: false"), "web:\n").split("notes:")[0])
    back = plan(project)
    assert re.search(r'notes +: "Blog for the communications team." → \(none\)', back.out)
    assert re.search(r"appRoleAssignmentRequired +: false → true", back.out)  # the default: only those assigned
    assert apply(project).code == 0
    converged(project)
    app = applications(project)["wordpress"]
    assert (app["notes"], app["web"]["homePageUrl"], app["isFallbackPublicClient"]) == (None, None, False)
    principal = next(p for p in tenant(project)["objects"]["servicePrincipals"] if p["appId"] == app["appId"])
    assert principal["appRoleAssignmentRequired"] is True and "HideApp" not in principal["tags"]


REVIEW = ("  review:\n    emulator: true\n    seed: emulator/directory.yaml\n"
          "    tenantId: 00000000-0000-0000-0000-00000000c001\n    verifiedDomains: [contoso.com]\n")


def test_each_environment_gets_its_own_values(project):
    edit(project / "idamconf.yaml", "  devl:\n", REVIEW + "  devl:\n")
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  review:\n    displayName: WordPress Blog (review)\n"
         "    owners: [alice.admin@contoso.com]\n    web:\n      homePageUrl: https://blog-review.contoso.com/\n")
    local, review = plan(project), plan(project, "--env", "review")
    assert re.search(r'displayName += "WordPress Blog"', local.out) and "(review)" not in local.out
    assert re.search(r'displayName += "WordPress Blog \(review\)"', review.out)
    assert "app.wordpress.owner.grace.comms@contoso.com" in local.out
    assert "app.wordpress.owner.grace.comms@contoso.com" not in review.out
    assert apply(project).code == 0 and apply(project, "--env", "review").code == 0
    converged(project)
    assert plan(project, "--env", "review", "--detailed-exitcode").code == 0
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"
    store = Store(project / ".idamconf" / "review.db")
    reviewed = store.find("applications", "uniqueName", "wordpress")
    store.close()
    assert reviewed["displayName"] == "WordPress Blog (review)"
    assert reviewed["web"]["homePageUrl"] == "https://blog-review.contoso.com/"
    assert reviewed["web"]["redirectUris"]  # the file's, merged with the override's homePageUrl
