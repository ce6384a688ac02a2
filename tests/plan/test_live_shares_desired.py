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
