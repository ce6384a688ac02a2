"""A live resource like the one wanted holds no attributes of its own: at 10,000 applications each side of a plan
holds 130,000 resources, and a plan's memory would otherwise double."""

from idamconf.plan.model import Resource
from idamconf.plan.resources import live_resources


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
