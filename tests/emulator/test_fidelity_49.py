"""Gaps left open by session 48's fidelity review, closed from Microsoft's documentation (microsoftgraph/
microsoft-graph-docs-contrib, MicrosoftDocs/entra-docs; "inferred" where the docs do not say it in so many words):
a service principal's own app roles, a federated credential's GET, the SAML federation metadata URL, empty token
claims, and `$batch` dependency trees."""

from __future__ import annotations

import uuid

from idamconf.emulator import Store
from tests.cli.harness import apply, plan
from tests.identity.test_token_answers import claims_of, token_request

from .conftest import ALICE, Api, assert_error
from .test_saml import ELSEWHERE, instantiate

POST = {"method": "POST", "url": "/applications", "headers": {"Content-Type": "application/json"}}


# ------------------------------------------------------------------------------- a service principal's own roles
MISMATCH = "Property appRoles on the service principal does not match the application object."


def _role(value: str, members: tuple = ("User",), **fields) -> dict:
    return {"id": str(uuid.uuid4()), "allowedMemberTypes": list(members), "description": f"{value} role",
            "displayName": value, "isEnabled": True, "value": value, **fields}


def _with_principal(api, *roles: dict) -> tuple[dict, str]:
    app = api.create_app(displayName="Orders", appRoles=list(roles))
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    return app, f"servicePrincipals/{principal['id']}"


def _origins(api, path: str) -> dict[str, str]:
    return {role["displayName"]: role["origin"] for role in api.get(path).json()["appRoles"]}


def test_a_role_written_on_the_service_principal_is_its_own(api):
    """approle.md: `origin` "Specifies if the app role is defined on the application object or on the
    servicePrincipal entity". Entra's "Configure the role claim" reads the service principal's roles, adds one and
    PATCHes them back, the read ones with `"origin": "Application"`, the new one `"origin": "ServicePrincipal"`;
    Graph's SAML tutorial sends the new ones without an origin (204). The new role is the service principal's own:
    not on the application, kept when the application's roles change, and assignable."""
    reader = _role("Orders.Read", ("User", "Application"))
    app, path = _with_principal(api, reader)
    read = api.get(path).json()["appRoles"]
    assert [(role["value"], role["origin"]) for role in read] == [("Orders.Read", "Application")]
    admin = _role("Orders.Admin")
    assert api.patch(path, json={"appRoles": [*read, admin]}).status_code == 204  # the tutorial's form
    assert _origins(api, path) == {"Orders.Read": "Application", "Orders.Admin": "ServicePrincipal"}
    again = api.get(path).json()["appRoles"]  # the how-to's form: each sent back with its own origin
    assert api.patch(path, json={"appRoles": again}).status_code == 204
    assert [role["value"] for role in api.get(f"applications/{app['id']}").json()["appRoles"]] == ["Orders.Read"]
    writer = _role("Orders.Write")
    assert api.patch(f"applications/{app['id']}", json={"appRoles": [reader, writer]}).status_code == 204
    assert _origins(api, path) == {"Orders.Read": "Application", "Orders.Write": "Application",
                                   "Orders.Admin": "ServicePrincipal"}
    [alice] = api.seed_users(ALICE)
    resource = api.get(path).json()["id"]
    assert api.post(f"{path}/appRoleAssignedTo", json={"principalId": alice["id"], "resourceId": resource,
                                                      "appRoleId": admin["id"]}).status_code == 201


def test_a_service_principal_keeps_its_applications_roles_as_they_are_and_its_own_for_users(api):
    """What Graph refuses, as users report it: the application's roles changed or left out in a PATCH of the
    service principal ("Property appRoles on the service principal does not match the application object",
    microsoft-graph-docs-contrib 8801), and a role of the service principal's own admitting applications (approle.md:
    "The "Application" value is only supported for app roles defined on application entities"; reported answer
    MicrosoftDocs/azure-docs 78297); an origin other than the role's is read-only, as on an application."""
    reader = _role("Orders.Read")
    app, path = _with_principal(api, reader)
    [read] = api.get(path).json()["appRoles"]
    admin = _role("Orders.Admin")
    for roles, message in (([{**read, "description": "changed"}, admin], MISMATCH),
                           ([{**read, "isEnabled": False}, admin], MISMATCH),
                           ([admin], MISMATCH),
                           ([{**read, "origin": "ServicePrincipal"}, admin], "read-only"),
                           ([read, {**admin, "origin": "Application"}], "read-only"),
                           ([read, _role("Robots", ("Application",))], "does not match the application object"),
                           ([read, _role("Both", ("User", "Application"))], "does not match the application object")):
        error = assert_error(api.patch(path, json={"appRoles": roles}), 400, "Request_BadRequest")
        assert message in error["message"], (roles, error)
    assert api.get(path).json()["appRoles"] == [read]
    assert_error(api.post("servicePrincipals", json={"appId": api.create_app(appRoles=[reader | {
        "id": str(uuid.uuid4())}])["appId"], "appRoles": [admin]}), 400)  # a create leaving out the application's


def test_the_saml_tutorials_roles_are_added_to_the_service_principal(api):
    """application-saml-sso-configure-api.md, "Add app roles (Optional)": the service principal's two default roles
    sent back with `"origin": "Application"` and two new ones without an origin -> 204."""
    made = instantiate(api)
    path = f"servicePrincipals/{made['servicePrincipal']['id']}"
    defaults = [{**role, "origin": "Application"} for role in made["application"]["appRoles"]]
    roles = [*defaults, _role("arn:aws:iam::212743507312:role/admin,arn:aws:iam::212743507312:saml-provider/WAAD"),
             _role("arn:aws:iam::212743507312:role/finance,arn:aws:iam::212743507312:saml-provider/WAAD")]
    assert api.patch(path, json={"appRoles": roles}).status_code == 204
    assert [role["origin"] for role in api.get(path).json()["appRoles"]] == ["Application", "Application",
                                                                             "ServicePrincipal", "ServicePrincipal"]


def test_idamconf_leaves_a_service_principals_own_roles_alone(applied):
    """A role added on the service principal (as Entra's how-to adds one to a SAML application) is not the
    application's: plan shows no change for it, and an apply changing the application's roles keeps it."""
    store = Store(applied / ".idamconf" / "local.db")
    api = Api(store)
    application = api.get("applications", params={"$filter": "uniqueName eq 'pui'"}).json()["value"][0]
    path = f"servicePrincipals(appId='{application['appId']}')"
    admin = _role("PUI.Admin")
    assert api.patch(path, json={"appRoles": [*api.get(path).json()["appRoles"], admin]}).status_code == 204
    store.close()
    assert plan(applied, "--detailed-exitcode").code == 0
    pui = applied / "applications" / "pui.yaml"
    pui.write_text(pui.read_text().replace("appRoles:   ", "appRoles:\n  - {displayName: Auditor, value: PUI.Audit, "
                                           "id: 0b6c4f4e-8a52-4c1e-9a41-3c1f2a0c9d11}  # added\n #", 1))
    assert apply(applied).code == 0
    assert plan(applied, "--detailed-exitcode").code == 0
    store = Store(applied / ".idamconf" / "local.db")
    assert _origins(Api(store), path) == {"User": "Application", "msiam_access": "Application",
                                          "Auditor": "Application", "PUI.Admin": "ServicePrincipal"}
    store.close()


# ------------------------------------------------------------------------------------------------------ $batch
def _creates(*depends: list[str] | None) -> list[dict]:
    """Requests "1", "2", ... creating applications, request n+1 with `depends[n]` as its dependsOn."""
    items = []
    for index, names in enumerate(depends, start=1):
        item = {"id": str(index), **POST, "body": {"displayName": f"app {index}"}}
        items.append({**item, "dependsOn": names} if names is not None else item)
    return items


def test_a_batch_whose_dependencies_branch_is_refused(api):
    """Graph's known issues, "JSON batching: Request dependencies are limited": a request "can only depend on a
    single other request", and a batch is parallel, serial ("all individual requests depend on the previous
    individual request") or same ("all individual requests that state a dependency ... state the same
    dependency"). Two requests on the second, or one on two, is none of them: 400, nothing runs (inferred code and
    wording, as for the mixed batch)."""
    for refused in (_creates(None, ["1"], ["2"], ["2"]),       # a branch below the second
                    _creates(None, ["1"], ["1", "2"]),         # one request on two
                    _creates(None, ["1"], ["1"], ["3"])):      # "same", then a chain
        error = assert_error(api.post("$batch", json={"requests": refused}), 400, "Request_BadRequest")
        assert "fully sequential or fully parallel" in error["message"]
    assert api.get("applications").json()["value"] == []


def test_a_serial_or_same_batch_runs(api):
    """The patterns Graph runs: each request on the one before it (json-batching.md's example), or every request
    on the same one (test_assignments.py's batch), in the order sent."""
    for accepted in (_creates(None, ["1"], ["2"], ["3"]), _creates(None, ["1"], ["1"], ["1"]),
                     _creates(None, ["1"])):
        answer = api.post("$batch", json={"requests": accepted})
        assert answer.status_code == 200, answer.text
        assert [r["status"] for r in answer.json()["responses"]] == [201] * len(accepted)
    assert len(api.get("applications").json()["value"]) == 10


# ----------------------------------------------------------------------------- a federated identity credential
GITHUB = "https://token.actions.githubusercontent.com"


def _credential(api) -> tuple[str, dict]:
    app = api.create_app()
    path = f"applications/{app['id']}/federatedIdentityCredentials"
    made = api.post(path, json={"name": "github-live", "issuer": GITHUB, "subject": "repo:contoso/pay:environment:live",
                                "audiences": ["api://AzureADTokenExchange"]})
    assert made.status_code == 201, made.text
    return path, made.json()


def test_a_credentials_get_honours_select_by_id_or_by_name(api):
    """federatedidentitycredential-get.md: "This method supports the `$select` OData query parameter", and "You can
    also address the federated identity credential with either its id or name" (`…/federatedIdentityCredentials/
    {federatedIdentityCredentialName}`, a bare segment, besides the upsert's `(name='…')`)."""
    path, made = _credential(api)
    for member in (made["id"], "github-live", "GitHub-Live", "(name='github-live')"):
        at = f"{path}/{member}" if not member.startswith("(") else f"{path}{member}"
        answer = api.get(at, params={"$select": "name,subject"})
        assert answer.status_code == 200, (member, answer.text)
        body = answer.json()
        assert {k: v for k, v in body.items() if k != "@odata.context"} == {"name": "github-live",
                                                                           "subject": made["subject"]}, member
        assert body["@odata.context"].endswith("/federatedIdentityCredentials(name,subject)/$entity")
        assert api.get(at).json()["issuer"] == GITHUB  # without $select, the whole credential
    assert_error(api.get(f"{path}/github-live", params={"$select": "name,secret"}), 400)
    assert_error(api.get(f"{path}/github-live", params={"$filter": "name eq 'github-live'"}), 400,
                 "Request_UnsupportedQuery")
    assert_error(api.get(f"{path}/github-test"), 404)


def test_a_credential_is_updated_and_deleted_by_its_name_as_a_bare_segment(api):
    """federatedidentitycredential-update.md and -delete.md: `PATCH|DELETE /applications/{id}/
    federatedIdentityCredentials/{federatedIdentityCredentialName}`."""
    path, made = _credential(api)
    assert api.patch(f"{path}/github-live", json={"description": "the live deployments"}).status_code == 204
    assert api.get(f"{path}/{made['id']}").json()["description"] == "the live deployments"
    assert api.delete(f"{path}/github-live").status_code == 204
    assert api.get(path).json()["value"] == []


# ----------------------------------------------------------------------------------- SAML federation metadata
def _signing_application(api) -> str:
    """A SAML application with a preferred signing certificate, whose metadata is served; its app id."""
    made = instantiate(api)
    principal = made["servicePrincipal"]["id"]
    certificate = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate", json={"displayName": "CN=PUI"})
    assert api.patch(f"servicePrincipals/{principal}", json={
        "preferredTokenSigningKeyThumbprint": certificate.json()["thumbprint"]}).status_code == 204
    return made["application"]["appId"]


def test_the_federation_metadata_url_names_the_tenant_and_the_application_in_any_case(api):
    """federation-metadata.md: `https://login.microsoftonline.com/<TenantDomainName>/FederationMetadata/2007-06/
    FederationMetadata.xml`, `TenantDomainName` "a registered domain name ... such as contoso.onmicrosoft.com" or
    "the immutable tenant ID"; Entra's SAML pages write the same path in lower case. A GUID and a domain name are
    read in any case. The document names the tenant by its id, however the URL named it."""
    app_id = _signing_application(api)
    tenant = api.store.tenant_id
    for segment, path, app in ((tenant.upper(), "federationmetadata/2007-06/federationmetadata.xml", app_id),
                               ("Contoso.OnMicrosoft.com", "FederationMetadata/2007-06/FederationMetadata.xml", app_id),
                               (tenant, "federationmetadata/2007-06/federationmetadata.xml", app_id.upper())):
        served = api.request("GET", f"http://emulator.localhost/{segment}/{path}", params={"appid": app})
        assert served.status_code == 200, (segment, path, app)
        assert f'entityID="https://sts.windows.net/{tenant}/"'.encode() in served.content
    for segment, path in ((ELSEWHERE, "federationmetadata/2007-06/federationmetadata.xml"),
                          ("fabrikam.com", "federationmetadata/2007-06/federationmetadata.xml"),
                          (tenant, "federationmetadata/2007-06/other.xml"),
                          (tenant, "metadata/2007-06/federationmetadata.xml")):
        assert api.request("GET", f"http://emulator.localhost/{segment}/{path}",
                           params={"appid": app_id}).status_code == 404, (segment, path)


# --------------------------------------------------------------------------------------- the tokens' claims
def test_a_token_leaves_out_the_roles_and_scopes_it_has_none_of(api):
    """access-token-claims-reference.md: "Claims are present only if a value exists to fill it" -- `roles` (the
    permissions granted) and `scp` (the scopes consented) included, where the emulator sent `roles: []` to an
    application granted nothing and `scp: ""` for an application exposing no scope. With a role, `roles` is there."""
    reader = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User", "Application"], "description": "Reader",
              "displayName": "Reader", "isEnabled": True, "value": "Orders.Read"}
    api_app = api.create_app(displayName="Orders", appRoles=[reader])
    resource = api.post("servicePrincipals", json={"appId": api_app["appId"]}).json()
    client = api.create_app(displayName="client")
    principal = api.post("servicePrincipals", json={"appId": client["appId"]}).json()
    secret = api.post(f"applications/{client['id']}/addPassword", json={}).json()["secretText"]
    [alice] = api.seed_users(ALICE)

    def app_token() -> dict:
        return claims_of(api, token_request(api, {"grant_type": "client_credentials", "client_id": client["appId"],
                                                  "client_secret": secret, "scope": f"{api_app['appId']}/.default"}))

    def user_token() -> dict:
        return claims_of(api, token_request(api, {"grant_type": "urn:idamconf:emulator:user", "client_id":
                                                  api_app["appId"], "username": ALICE["userPrincipalName"]}))

    assert "roles" not in app_token() and "scp" not in app_token()
    assert {"roles", "scp"}.isdisjoint(user_token()) and user_token()["upn"] == ALICE["userPrincipalName"]
    for holder in (principal, alice):
        assert api.post(f"servicePrincipals/{resource['id']}/appRoleAssignedTo", json={
            "principalId": holder["id"], "resourceId": resource["id"], "appRoleId": reader["id"]}).status_code == 201
    assert app_token()["roles"] == user_token()["roles"] == ["Orders.Read"]
