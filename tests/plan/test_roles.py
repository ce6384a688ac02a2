"""How plans name app roles: by value, or -- roles without one (SAML's User, msiam_access) -- by display name, or by
id when two such roles share a display name, so that no two resources of a plan share an address."""

from __future__ import annotations

from idamconf.plan.roles import role_label, role_of, role_parts

USER, ACCESS, OTHER = "18d14569-c3bd-439b-9a66-3a2aee01d14f", "b9632174-c057-4f7e-951b-be3adc52bfe6", "0e6d3e2a"


def test_roles_are_named_by_value_else_display_name_else_id():
    parts = role_parts([("r1", "Blog.Writer", "Writer"), (USER, None, "User"), (ACCESS, None, "msiam_access")])
    assert parts == [".Blog.Writer", "[User]", "[msiam_access]"]
    twins = role_parts([(USER, None, "User"), (OTHER, None, "User"), ("r3", "User", "User")])
    assert twins == [f"[{USER}]", f"[{OTHER}]", ".User"]  # a value never clashes with a bracketed name
    # a role with a value shares its display name with no bracketed one: the role without a value keeps its name
    assert role_parts([(USER, None, "User"), ("r3", "Reader", "User")]) == ["[User]", ".Reader"]
    assert [role_label(part) for part in parts] == ["Blog.Writer", "User", "msiam_access"]


def test_the_role_an_address_is_about():
    assert role_of("app.wordpress.role.Blog.Writer.access_package.policy") == ".Blog.Writer"
    assert role_of("app.saml.role[User]") == "[User]"
    assert role_of("app.saml.role[Sales [EU]].access_package.role_scope") == "[Sales [EU]]"
    assert role_of("app.role-admin.owner.alice@contoso.com") == ""  # "role" in an application's name
    assert role_of("app.wordpress.scope.Blog.Read") == ""
    assert role_of("catalog[x.role.y]") == ""


def test_the_tenants_roles_without_a_value_are_named_as_the_file_names_them():
    """What Graph sends of an application's roles gets the addresses the file's roles get (above): a role without a
    value by its display name, two of one display name by their ids -- in lower case, however Graph spells them --
    so that an application the file describes plans no change of its roles."""
    from idamconf.plan.resources import live_application

    app = {"id": "o1", "appId": "a1", "uniqueName": "saml", "appRoles": [
        {"id": USER.upper(), "value": None, "displayName": "User", "allowedMemberTypes": ["User"], "isEnabled": True},
        {"id": OTHER.upper(), "value": None, "displayName": "User", "allowedMemberTypes": ["User"], "isEnabled": True},
        {"id": ACCESS, "value": None, "displayName": "msiam_access", "allowedMemberTypes": ["User"],
         "isEnabled": True},
        {"id": "r4", "value": "Reader", "displayName": "Readers", "allowedMemberTypes": ["User"], "isEnabled": True}]}
    roles = {r.address: r.attributes for r in live_application(app)["resources"].values() if r.kind == "role"}
    assert sorted(roles) == sorted(["app.saml.role.Reader", f"app.saml.role[{USER}]", f"app.saml.role[{OTHER}]",
                                    "app.saml.role[msiam_access]"])
    assert roles[f"app.saml.role[{USER}]"]["id"] == USER and roles["app.saml.role.Reader"]["displayName"] == "Readers"
