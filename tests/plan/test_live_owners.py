"""The owners a plan reads of an application: its users, however Graph orders them among the service principals
that own it too (the pipeline's own identity, which idamconf never manages)."""

from idamconf.plan.resources import live_resources


def test_every_user_owner_is_read_wherever_a_service_principal_owner_is_listed():
    app = {"id": "o1", "appId": "a1", "uniqueName": "web", "displayName": "Web", "tags": ["idamconf:p"]}
    owners = [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": "s1"},  # listed first
              {"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "Ann@Contoso.com"},
              {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "s2"},
              {"@odata.type": "#microsoft.graph.user", "id": "u2"}]  # no name sent: known by its id
    found = {r.address: (r.attributes, r.ids["userId"]) for r in live_resources([app], [], {"o1": owners}).values()
             if r.kind == "owner"}
    assert found == {"app.web.owner.Ann@Contoso.com": ({"userPrincipalName": "ann@contoso.com"}, "u1"),
                     "app.web.owner.u2": ({"userPrincipalName": "u2"}, "u2")}
