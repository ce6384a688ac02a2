"""Exposed scopes and pre-authorised clients as the configuration says them: derived ids in a namespace of their own,
adopted ids kept, and a client named by name present wherever its API is."""

from __future__ import annotations

import uuid

from idamconf.config.load import load_configuration
from idamconf.config.model import ROLE_NAMESPACE, SCOPE_NAMESPACE, role_id, scope_id

from ..cli.harness import edit, idamconf

API = "applications/orders-api.yaml"
PORTAL = "applications/orders-portal.yaml"


def test_scope_ids_are_derived_in_a_namespace_of_their_own():
    assert scope_id("orders-api", "Orders.Read") == str(uuid.uuid5(SCOPE_NAMESPACE, "orders-api/Orders.Read"))
    assert role_id("orders-api", "Orders.Read") == str(uuid.uuid5(ROLE_NAMESPACE, "orders-api/Orders.Read"))
    assert scope_id("orders-api", "Orders.Read") != role_id("orders-api", "Orders.Read")


def test_derived_ids_are_uuid5_for_any_name_and_value():
    """Every digit the version and the variant bits replace, in both namespaces (ids were computed with uuid.uuid5
    before: a different id would make a plan re-create the role)."""
    names = [("app-%05d" % number, value) for number in range(500) for value in ("Reader", "Écrivain", "a/b", "")]
    for application, value in names:
        assert role_id(application, value) == str(uuid.uuid5(ROLE_NAMESPACE, f"{application}/{value}"))
        assert scope_id(application, value) == str(uuid.uuid5(SCOPE_NAMESPACE, f"{application}/{value}"))
    assert {role_id(*name)[19] for name in names} == set("89ab")


def test_the_model_holds_derived_and_adopted_ids_and_clients_by_name_or_app_id(project):
    edit(project / API, "    - value: Orders.Submit\n", "    - value: Orders.Submit\n"
         "      id: 5A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D   # adopted: kept, in lower case\n")
    edit(project / API, "      scopes: [Orders.Read, Orders.Submit]\n", "      scopes: [Orders.Read, Orders.Submit]\n"
         "    - appId: 04B07795-8DDB-461A-BBEE-02F9E1BF7B46\n      scopes: [Orders.Read]\n")
    app = next(a for a in load_configuration(project).applications if a.name == "orders-api")
    assert [(scope.value, scope.id, scope.type) for scope in app.scopes] == [
        ("Orders.Read", scope_id("orders-api", "Orders.Read"), "User"),
        ("Orders.Submit", "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Admin")]
    assert [(c.client, c.by_name, c.scopes) for c in app.pre_authorized] == [
        ("orders-portal", True, ("Orders.Read", "Orders.Submit")),
        ("04b07795-8ddb-461a-bbee-02f9e1bf7b46", False, ("Orders.Read",))]


def test_a_client_named_by_name_must_be_in_every_environment_of_its_api(project):
    edit(project / PORTAL, "tags: [finance]\n", "tags: [finance]\nenvironments: [local, devl]\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "client 'orders-portal' is not in environment 'nle', which this application is in" in result.err
    assert "client 'orders-portal' is not in environment 'live'" in result.err
    assert "(overrides.live.api)" in result.err
    # leaving it out where it is not: the override replaces the list of clients there
    edit(project / API, "serviceManagementReference: IDAM-1240\n", "serviceManagementReference: IDAM-1240\n"
         "overrides:\n  nle: {api: {preAuthorizedApplications: []}}\n  live: {api: {preAuthorizedApplications: []}}\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err


def scopes_yaml(values) -> str:
    return "".join(f"    - {{value: {value}, adminConsentDisplayName: S, adminConsentDescription: S.}}\n"
                   for value in values)


def with_scopes(project, audience: str, values) -> str:
    """The orders API, for `audience`, exposing scopes of these values (and no client): validate's messages."""
    original = project / "orders-api.yaml.orig"
    if not original.exists():
        original.write_text((project / API).read_text())
    text = original.read_text()
    text = text[:text.index("api:\n")] + f"signInAudience: {audience}\napi:\n  oauth2PermissionScopes:\n" + \
        scopes_yaml(values)
    (project / API).write_text(text)
    result = idamconf("validate", "-C", str(project))
    assert "Traceback" not in result.err
    return result.err if result.code else ""


def test_a_scope_value_of_personal_accounts_is_at_most_40_characters(project):
    said = with_scopes(project, "AzureADandPersonalMicrosoftAccount", ["O" * 40, "P" * 41])
    assert f"'{'P' * 41}' is longer than 40 characters" in said
    assert f"'{'O' * 40}' is longer" not in said


def test_an_application_of_personal_accounts_exposes_at_most_100_scopes(project):
    values = [f"Scope.{number}" for number in range(101)]
    assert "101 scopes: Graph allows 100 for signInAudience AzureADandPersonalMicrosoftAccount" in \
        with_scopes(project, "AzureADandPersonalMicrosoftAccount", values)
    assert with_scopes(project, "AzureADandPersonalMicrosoftAccount", values[:100]) == ""
    assert with_scopes(project, "AzureADMyOrg", values) == ""


def test_an_api_is_judged_only_in_its_own_environments(project):
    """orders-api and its client orders-portal are both only in local and devl: nothing is missing elsewhere."""
    for path in (API, PORTAL):
        edit(project / path, "tags: [finance]\n", "tags: [finance]\nenvironments: [local, devl]\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err
