"""A live resource like the one wanted holds no attributes of its own: at 10,000 applications each side of a plan
holds 130,000 resources, and a plan's memory would otherwise double."""

from idamconf.plan.model import Resource
from idamconf.plan.resources import live_application, live_resources


def test_live_resources_share_the_attributes_of_equal_desired_ones_and_keep_their_own_otherwise():
    app = {"id": "o1", "appId": "a1", "uniqueName": "web", "displayName": "Web", "tags": ["idamconf:p"],
           "appRoles": [{"id": "R1", "value": "Reader", "displayName": "Reader", "allowedMemberTypes": ["User"],
                         "isEnabled": True}]}
    plain = live_resources([app], [], {})
    wanted = {key: Resource(r.kind, r.address, r.application, dict(r.attributes)) for key, r in plain.items()}
    role_key = next(key for key in wanted if key[2] == "role")
    wanted[role_key] = Resource("role", wanted[role_key].address, "web",
                                {**wanted[role_key].attributes, "displayName": "Readers"})

    live = live_resources([app], [], {}, wanted)

    assert live == plain  # the same resources, ids included
    assert {key: r.ids for key, r in live.items()} == {key: r.ids for key, r in plain.items()}
    for key, resource in live.items():
        same = resource.attributes is wanted[key].attributes
        assert same == (key != role_key)  # shared when equal; the changed role keeps what the tenant has
    assert live[role_key].attributes["displayName"] == "Reader"


def test_applications_kept_as_their_pages_arrive_give_the_same_resources_and_share_once_desired_is_known():
    app = {"id": "o1", "appId": "a1", "uniqueName": "web", "displayName": "Web", "tags": ["idamconf:p"],
           "appRoles": [{"id": "R1", "value": "Reader", "displayName": "Reader", "allowedMemberTypes": ["User"],
                         "isEnabled": True}],
           "owners": [{"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "Ann@x.com"}]}
    sp = [{"id": "s1", "appId": "a1", "tags": ["idamconf:p"]}]
    plain = live_resources([dict(app)], sp, {"o1": app["owners"]})
    wanted = {key: Resource(r.kind, r.address, r.application, dict(r.attributes)) for key, r in plain.items()}

    early = live_application(dict(app))  # its page came before the configuration's resources were made
    late = live_application(dict(app), wanted)
    # once the configuration's are made, an application's resources share as its page arrives: the page's memory
    # is let go at once, not when the plan is made
    assert late["resources"] and all(resource.attributes is wanted[key].attributes
                                     for key, resource in late["resources"].items())
    for kept in (early, late):
        live = live_resources([kept], sp, {"o1": app["owners"]}, wanted)
        assert live == plain and {k: r.ids for k, r in live.items()} == {k: r.ids for k, r in plain.items()}
        assert all(resource.attributes is wanted[key].attributes for key, resource in live.items())
    assert live_application({"id": "o2", "appId": "a2", "tags": ["idamconf:p"]})["resources"] == {}  # no uniqueName


def test_every_resource_of_an_application_is_made_as_its_page_arrives_under_its_address_with_its_ids():
    """Its scopes, logo, certificates and secrets too (not only the application and its roles): each named under the
    application's address, carrying the application's ids (which apply writes to), and sharing the attributes of the
    one wanted once the configuration's resources are made."""
    import base64
    import hashlib

    from idamconf.credentials.certificates import key_id

    thumbprint = hashlib.sha1(b"certificate").digest()
    app = {"id": "o1", "appId": "a1", "uniqueName": "web", "displayName": "Web", "tags": ["idamconf:p"],
           "api": {"oauth2PermissionScopes": [{"id": "S1", "value": "Data.Read", "type": "User", "isEnabled": True}]},
           "info": {"logoUrl": "https://example.com/logo.png"},
           "passwordCredentials": [{"keyId": "K1", "displayName": "idamconf:deploy", "hint": "abc",
                                    "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-07-01T00:00:00Z"}],
           "keyCredentials": [{"keyId": key_id("web", thumbprint.hex().upper()), "displayName": "CN=web",
                               "customKeyIdentifier": base64.b64encode(thumbprint).decode(),
                               "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}]}
    plain = live_resources([dict(app)], [], {})
    wanted = {key: Resource(r.kind, r.address, r.application, dict(r.attributes)) for key, r in plain.items()}
    made = live_application(dict(app), wanted)["resources"]
    assert {r.kind for r in made.values()} == {"application", "scope", "logo", "secret", "certificate"}
    assert all(r.address.startswith("app.web.") or r.address == "app.web" for r in made.values()), made
    assert all(r.ids["id"] == "o1" and r.ids["appId"] == "a1" for r in made.values())
    assert all(r.attributes is wanted[key].attributes for key, r in made.items())
    assert live_resources([live_application(dict(app), wanted)], [], {}, wanted) == plain


def test_an_access_packages_live_resources_share_the_attributes_of_equal_desired_ones():
    """The app's place in its catalog, its package, the role scope and the policy: a plan of 10,000 applications'
    packages holds as many of each as of roles. A changed package keeps what the tenant has."""
    from idamconf.plan.governance import live_governance

    tenant = ({"s1": ("web", {"R1": ".Reader"})}, {"Apps": {"id": "c1", "displayName": "Apps"}},
              {"c1": [{"id": "cr1", "originId": "s1"}]},
              [{"id": "p1", "displayName": "web-readers", "description": "Readers.", "catalog": {"id": "c1"},
                "resourceRoleScopes": [{"id": "rs1", "role": {"originId": "R1"}, "scope": {"originId": "s1"}}]}],
              [{"id": "q1", "accessPackage": {"id": "p1"}, "startDateTime": None,
                "attributes": {"displayName": "Initial policy", "approvers": ["ann@contoso.com"]}}])
    plain = live_governance(*tenant)
    wanted = {key: Resource(r.kind, r.address, r.application, dict(r.attributes)) for key, r in plain.items()}
    package_key = next(key for key in wanted if key[2] == "access_package")
    wanted[package_key] = Resource("access_package", wanted[package_key].address, "web",
                                   {**wanted[package_key].attributes, "description": "Who reads."})

    live = live_governance(*tenant, desired=wanted)

    assert {r.kind for r in live.values()} == {"catalog_resource", "access_package", "role_scope", "policy"}
    assert live == plain and {k: r.ids for k, r in live.items()} == {k: r.ids for k, r in plain.items()}
    for key, resource in live.items():
        assert (resource.attributes is wanted[key].attributes) == (key != package_key)
    assert live[package_key].attributes["description"] == "Readers."
