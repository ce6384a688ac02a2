"""appRoles: Graph's validation, and the rule that an enabled role must be disabled before it changes or goes."""

from __future__ import annotations

import uuid

import pytest

from .conftest import assert_error

MESSAGE = "Permission (scope or role) cannot be deleted or updated unless disabled first."


def role(value="Reader", **fields) -> dict:
    body = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "description": f"{value} role",
            "displayName": value, "isEnabled": True, "value": value}
    body.update(fields)
    return body


def roles_of(api, app) -> list[dict]:
    return api.get(f"applications/{app['id']}").json()["appRoles"]


def test_roles_are_stored_with_origin_application(api):
    reader, writer = role("Reader"), role("Writer", allowedMemberTypes=["User", "Application"])
    app = api.create_app(appRoles=[reader, writer])
    stored = roles_of(api, app)
    assert [r["id"] for r in stored] == [reader["id"], writer["id"]]
    assert all(r["origin"] == "Application" for r in stored)
    assert stored[1]["allowedMemberTypes"] == ["User", "Application"]
    assert app["appRoles"] == stored


@pytest.mark.parametrize("role_id", ["not-a-guid", "", None, 42, "12345678-1234-1234-1234-12345678901"])
def test_role_id_must_be_a_guid(api, role_id):
    assert_error(api.post("applications", json={"displayName": "A", "appRoles": [role(id=role_id)]}), 400)


def test_duplicate_ids_are_400_duplicate_value(api):
    first = role("A")
    second = role("B", id=first["id"].upper())
    error = assert_error(api.post("applications", json={"displayName": "A", "appRoles": [first, second]}),
                         400, "DuplicateValue")
    assert [detail["target"] for detail in error["details"]] == ["appRoles"]  # the roles, not the scopes


def test_duplicate_values_are_400_duplicate_value(api):
    app = api.create_app()
    response = api.patch(f"applications/{app['id']}", json={"appRoles": [role("Same"), role("Same")]})
    assert [detail["target"] for detail in assert_error(response, 400, "DuplicateValue")["details"]] == ["appRoles"]
    assert roles_of(api, app) == []


@pytest.mark.parametrize("value", ["has space", "x" * 121, "", ".leading.dot"])
def test_invalid_values_are_400(api, value):
    assert_error(api.post("applications", json={"displayName": "A", "appRoles": [role(value=value)]}), 400)


@pytest.mark.parametrize("name", ["", None])
def test_a_role_without_a_display_name_is_400(api, name):
    assert_error(api.post("applications", json={"displayName": "A", "appRoles": [role(displayName=name)]}), 400)


def test_value_of_120_chars_is_accepted(api):
    app = api.create_app(appRoles=[role(value="x" * 120)])
    assert roles_of(api, app)[0]["value"] == "x" * 120


@pytest.mark.parametrize("members", [[], ["Group"], None])
def test_allowed_member_types_are_checked(api, members):
    assert_error(api.post("applications", json={"displayName": "A",
                                                "appRoles": [role(allowedMemberTypes=members)]}), 400)


def test_an_origin_other_than_the_applications_own_is_refused(api):
    """(An application's own, `Application`, may be sent back: tests/emulator/test_fidelity_51.py.)"""
    assert_error(api.post("applications", json={"displayName": "A", "appRoles": [role(origin="ServicePrincipal")]}),
                 400)
    app = api.create_app(appRoles=[role("R")])
    roles = [{**r, "origin": "ServicePrincipal"} for r in roles_of(api, app)]
    assert_error(api.patch(f"applications/{app['id']}", json={"appRoles": roles}), 400)


def _enabled_app(api):
    reader, writer = role("Reader"), role("Writer")
    app = api.create_app(appRoles=[reader, writer])
    return app, reader, writer


def test_changing_an_enabled_role_is_refused(api):
    app, reader, writer = _enabled_app(api)
    changed = {**reader, "description": "changed"}
    error = assert_error(api.patch(f"applications/{app['id']}", json={"appRoles": [changed, writer]}),
                         400, "CannotDeleteOrUpdateEnabledEntitlement")
    assert error["message"] == MESSAGE
    assert [r["description"] for r in roles_of(api, app)] == ["Reader role", "Writer role"]


@pytest.mark.parametrize("field,value", [("value", "Reader2"), ("displayName", "Other"),
                                         ("allowedMemberTypes", ["Application"])])
def test_every_field_of_an_enabled_role_is_protected(api, field, value):
    app, reader, writer = _enabled_app(api)
    response = api.patch(f"applications/{app['id']}", json={"appRoles": [{**reader, field: value}, writer]})
    assert_error(response, 400, "CannotDeleteOrUpdateEnabledEntitlement")


def test_removing_an_enabled_role_is_refused(api):
    app, reader, writer = _enabled_app(api)
    error = assert_error(api.patch(f"applications/{app['id']}", json={"appRoles": [writer]}),
                         400, "CannotDeleteOrUpdateEnabledEntitlement")
    assert error["message"] == MESSAGE
    assert_error(api.patch(f"applications/{app['id']}", json={"appRoles": []}),
                 400, "CannotDeleteOrUpdateEnabledEntitlement")
    assert len(roles_of(api, app)) == 2


def test_disable_then_change_succeeds(api):
    app, reader, writer = _enabled_app(api)
    disabled = {**reader, "isEnabled": False}
    assert api.patch(f"applications/{app['id']}", json={"appRoles": [disabled, writer]}).status_code == 204
    assert [r["isEnabled"] for r in roles_of(api, app)] == [False, True]
    changed = {**disabled, "description": "new", "value": "Reader2"}
    assert api.patch(f"applications/{app['id']}", json={"appRoles": [changed, writer]}).status_code == 204
    stored = roles_of(api, app)
    assert (stored[0]["description"], stored[0]["value"], stored[0]["isEnabled"]) == ("new", "Reader2", False)


def test_disable_then_remove_succeeds(api):
    app, reader, writer = _enabled_app(api)
    assert api.patch(f"applications/{app['id']}",
                     json={"appRoles": [{**reader, "isEnabled": False}, writer]}).status_code == 204
    assert api.patch(f"applications/{app['id']}", json={"appRoles": [writer]}).status_code == 204
    assert [r["id"] for r in roles_of(api, app)] == [writer["id"]]


def test_disabling_while_changing_in_one_step_is_refused(api):
    app, reader, writer = _enabled_app(api)
    response = api.patch(f"applications/{app['id']}",
                         json={"appRoles": [{**reader, "isEnabled": False, "description": "x"}, writer]})
    assert_error(response, 400, "CannotDeleteOrUpdateEnabledEntitlement")


def test_resending_unchanged_roles_and_adding_one_succeeds(api):
    app, reader, writer = _enabled_app(api)
    extra = role("Admin")
    assert api.patch(f"applications/{app['id']}", json={"appRoles": [reader, writer, extra]}).status_code == 204
    assert [r["value"] for r in roles_of(api, app)] == ["Reader", "Writer", "Admin"]


def test_reenabling_a_disabled_role_succeeds(api):
    app, reader, writer = _enabled_app(api)
    api.patch(f"applications/{app['id']}", json={"appRoles": [{**reader, "isEnabled": False}, writer]})
    assert api.patch(f"applications/{app['id']}", json={"appRoles": [reader, writer]}).status_code == 204
    assert all(r["isEnabled"] for r in roles_of(api, app))


def test_roles_are_mirrored_on_the_service_principal(api):
    app, reader, writer = _enabled_app(api)
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    assert [r["id"] for r in sp["appRoles"]] == [reader["id"], writer["id"]]
    extra = role("Admin")
    api.patch(f"applications/{app['id']}", json={"appRoles": [reader, writer, extra]})
    assert [r["value"] for r in api.get(f"servicePrincipals/{sp['id']}").json()["appRoles"]] == \
        ["Reader", "Writer", "Admin"]
