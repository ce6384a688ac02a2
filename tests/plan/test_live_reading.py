"""What a plan reads of the tenant's applications: every one with a key, wherever one without is listed; their
user owners, however Graph orders them among the service principals that own them too (the pipeline's own
identity, which idamconf never manages); the access token version as Graph holds it."""

import pytest

from idamconf.plan.resources import live_resources

WEB = {"id": "o1", "appId": "a1", "uniqueName": "web", "displayName": "Web", "tags": ["idamconf:p"]}


def test_every_user_owner_is_read_wherever_a_service_principal_owner_is_listed():
    app = dict(WEB)
    owners = [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": "s1"},  # listed first
              {"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "Ann@Contoso.com"},
              {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "s2"},
              {"@odata.type": "#microsoft.graph.user", "id": "u2"}]  # no name sent: known by its id
    found = {r.address: (r.attributes, r.ids["userId"]) for r in live_resources([app], [], {"o1": owners}).values()
             if r.kind == "owner"}
    assert found == {"app.web.owner.Ann@Contoso.com": ({"userPrincipalName": "ann@contoso.com"}, "u1"),
                     "app.web.owner.u2": ({"userPrincipalName": "u2"}, "u2")}


def test_an_application_without_a_key_is_left_alone_and_those_listed_after_it_are_read():
    """Tagged but not created by idamconf (no uniqueName to manage it by): nothing of it is planned."""
    stranger = {"id": "o0", "appId": "a0", "displayName": "Made by hand", "tags": ["idamconf:p"]}
    found = live_resources([stranger, dict(WEB)], [], {})
    assert {r.address for r in found.values()} == {"app.web"}


@pytest.mark.parametrize("api, version", [({"requestedAccessTokenVersion": 2}, 2),
                                          ({"requestedAccessTokenVersion": None}, 1), (None, 1)],
                         ids=["v2", "null", "no api"])
def test_the_token_version_is_read_as_graph_holds_it_its_null_being_version_1(api, version):
    """null is Graph's default, version 1 (apiApplication): a file asking for v2 plans a change from 1, one asking
    for v1 none."""
    [application] = [r for r in live_resources([{**WEB, "api": api}], [], {}).values() if r.kind == "application"]
    assert application.attributes["api"]["requestedAccessTokenVersion"] == version
