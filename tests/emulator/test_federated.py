"""Federated identity credentials: created, listed, upserted by name, updated and deleted as Graph does, with its
rules (unique names, unique issuer and subject, one audience, at most 20), read back by the typed SDK with nothing
left over (api-reference/v1.0/resources/federatedidentitycredential.md, api/federatedidentitycredential-upsert.md)."""

from __future__ import annotations

import pytest
from msgraph import GraphServiceClient
from msgraph.generated.models.application import Application
from msgraph.generated.models.federated_identity_credential import FederatedIdentityCredential

from .conftest import assert_error
from .test_sdk_fidelity import assert_no_leftovers, sdk_run

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning")]
GITHUB = "https://token.actions.githubusercontent.com"
ENTRA = ["api://AzureADTokenExchange"]


def credential(name: str = "github-live", subject: str = "repo:contoso/payments:environment:live", **more) -> dict:
    return {"name": name, "issuer": GITHUB, "subject": subject, "audiences": ENTRA, **more}


def fics(app: dict) -> str:
    return f"applications/{app['id']}/federatedIdentityCredentials"


def test_created_listed_updated_and_deleted_by_name_or_id(api):
    app = api.create_app()
    created = api.post(fics(app), json=credential(description="live deployments"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"@odata.context", "id", "name", "issuer", "subject", "description", "audiences"}
    listed = api.get(fics(app)).json()["value"]
    assert listed == [{k: v for k, v in body.items() if k != "@odata.context"}]
    assert api.patch(f"{fics(app)}(name='github-live')", json={"subject": "repo:contoso/payments:ref:refs/heads/main"}
                     ).status_code == 204
    assert api.get(f"{fics(app)}/{body['id']}").json()["subject"] == "repo:contoso/payments:ref:refs/heads/main"
    assert api.delete(f"{fics(app)}(name='github-live')").status_code == 204
    assert api.get(fics(app)).json()["value"] == []
    assert_error(api.delete(f"{fics(app)}/{body['id']}"), 404)


def test_upsert_by_name_creates_then_updates(api):
    app = api.create_app()
    path = f"{fics(app)}(name='github-nle')"
    body = {k: v for k, v in credential().items() if k != "name"}
    assert_error(api.patch(path, json=body), 404)  # without the header: an update of nothing
    first = api.patch(path, json=body, headers={"Prefer": "create-if-missing"})
    assert first.status_code == 201 and first.json()["name"] == "github-nle"
    again = api.patch(path, json={**body, "description": "nle"}, headers={"Prefer": "create-if-missing"})
    assert again.status_code == 204
    [held] = api.get(fics(app)).json()["value"]
    assert held["description"] == "nle" and held["id"] == first.json()["id"]


def test_graphs_rules_are_kept(api):
    app = api.create_app()
    assert api.post(fics(app), json=credential()).status_code == 201
    assert_error(api.post(fics(app), json=credential(name="GITHUB-LIVE", subject="other")), 409)
    assert_error(api.post(fics(app), json=credential(name="again")), 400)  # the same issuer and subject
    # each refused on its own account: a subject of its own, so that the repeated issuer and subject is not why
    for name, body in [("two", {"audiences": ["api://AzureADTokenExchange", "api://other"]}),
                       ("none", {"audiences": []}), ("long-audience", {"audiences": ["a" * 601]}),
                       ("has space", {}), ("x" * 121, {}), ("plain", {"issuer": "http://example.com"}),
                       ("long", {"subject": "s" * 601}), ("long-description", {"description": "d" * 601}),
                       ("extra", {"secret": "no"})]:
        refused = {**credential(name=name, subject=f"repo:contoso/{len(name)}:{name[:8]}"), **body}
        assert_error(api.post(fics(app), json=refused), 400)
    assert len(api.get(fics(app)).json()["value"]) == 1
    assert api.get(f"{fics(app)}(name='GITHUB-LIVE')").json()["name"] == "github-live"  # a name in any case
    assert_error(api.patch(f"{fics(app)}(name='github-live')", json={"name": "renamed"}), 400)  # immutable


def test_at_most_twenty_per_application_and_gone_with_it(api, store):
    app = api.create_app()
    for number in range(20):
        assert api.post(fics(app), json=credential(f"fic-{number}", f"subject-{number}")).status_code == 201
    assert_error(api.post(fics(app), json=credential("fic-20", "subject-20")), 400)
    other = api.create_app()
    assert api.post(fics(other), json=credential("fic-0", "subject-0")).status_code == 201  # per application
    assert api.delete(f"applications/{app['id']}").status_code == 204
    assert len(store.select("federatedIdentityCredentials", {}, primary=True)) == 1


def test_the_sdk_reads_them_with_nothing_left_over(served):
    async def scenario(client: GraphServiceClient):
        app = await client.applications.post(Application(display_name="SDK federated"))
        item = client.applications.by_application_id(app.id)
        created = await item.federated_identity_credentials.post(FederatedIdentityCredential(
            name="github-live", issuer=GITHUB, subject="repo:contoso/payments:environment:live", audiences=ENTRA))
        listed = await item.federated_identity_credentials.get()
        assert_no_leftovers(created, listed)
        assert [c.name for c in listed.value] == ["github-live"] and listed.value[0].audiences == ENTRA
        await item.federated_identity_credentials.by_federated_identity_credential_id(created.id).delete()
        assert (await item.federated_identity_credentials.get()).value == []

    sdk_run(served.base_url, scenario)
