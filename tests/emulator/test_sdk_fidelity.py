"""The official msgraph-sdk typed client against the served emulator.

Every object the emulator returns must deserialise into the SDK's typed models with nothing left over: an
`additional_data` entry means the emulator sent a property Graph's schema does not have (or misspelt one).
The only exception is `@odata.context` on the top-level object of a response: real Graph sends it too, and the
SDK's models have no field for it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import uuid

import httpx
import pytest
from kiota_abstractions.authentication import (AccessTokenProvider, AllowedHostsValidator,
                                               BaseBearerTokenAuthenticationProvider)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.api_application import ApiApplication
from msgraph.generated.models.app_role import AppRole
from msgraph.generated.models.application import Application
from msgraph.generated.models.informational_url import InformationalUrl
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.models.spa_application import SpaApplication
from msgraph.generated.models.user import User
from msgraph.generated.models.web_application import WebApplication
from msgraph_core import GraphClientFactory

from idamconf.emulator import Store
from idamconf.emulator.seed import seed

from .conftest import ALICE, add_applications, serving

# Three pages (100, 100 and the last, shorter one): enough to follow nextLink to its end. The 2,500 this was
# (~20 s of the SDK's deserialisers) added no case; scale is measured by `make bench`.
BULK = 250

# msgraph's generated request builders warn about their own deprecated configuration classes on every call.
pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning")]


class Token(AccessTokenProvider):
    async def get_authorization_token(self, uri, additional_authentication_context={}):
        return "test"

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def sdk_run(base_url: str, scenario):
    """Run `scenario(client)` in a fresh event loop with a fresh GraphServiceClient on `base_url`."""

    async def go():
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as raw:  # loopback only, no env proxy
            http = GraphClientFactory.create_with_default_middleware(client=raw)
            adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(Token()), http)
            adapter.base_url = base_url
            return await scenario(GraphServiceClient(request_adapter=adapter))

    return asyncio.run(go())


def create_if_missing() -> RequestConfiguration:
    config = RequestConfiguration()
    config.headers.add("Prefer", "create-if-missing")
    return config


class Leftovers:
    """Walks deserialised models, recording every `additional_data` entry and every model type seen."""

    def __init__(self):
        self.extra: list[str] = []
        self.seen: set[type] = set()

    def walk(self, value, path: str = "$", top: bool = True) -> "Leftovers":
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                self.walk(item, f"{path}[{index}]", top=False)
            return self
        if not dataclasses.is_dataclass(value) or not hasattr(value, "additional_data"):
            return self
        self.seen.add(type(value))
        extra = dict(value.additional_data or {})
        if top:
            extra.pop("@odata.context", None)
        self.extra += [f"{path} ({type(value).__name__}).{name}" for name in extra]
        for field in dataclasses.fields(value):
            if field.name not in ("additional_data", "backing_store"):
                self.walk(getattr(value, field.name), f"{path}.{field.name}", top=False)
        return self


def assert_no_leftovers(*values, must_see: tuple[type, ...] = ()) -> None:
    walker = Leftovers()
    for value in values:
        walker.walk(value)
    assert walker.extra == [], "properties the SDK's models do not know: " + ", ".join(walker.extra[:20])
    missing = [kind.__name__ for kind in must_see if kind not in walker.seen]
    assert not missing, f"the walk never reached {missing}"


def full_application(name: str) -> Application:
    return Application(
        display_name=name,
        description="An application with everything",
        tags=["team:hr", "HideApp"],
        web=WebApplication(redirect_uris=["https://app.contoso.com/signin-oidc"],
                           home_page_url="https://app.contoso.com"),
        spa=SpaApplication(redirect_uris=["https://spa.contoso.com/"]),
        info=InformationalUrl(privacy_statement_url="https://contoso.com/privacy"),
        api=ApiApplication(requested_access_token_version=2),
        app_roles=[
            AppRole(id=uuid.uuid4(), allowed_member_types=["User"], display_name="Reader", value="Reader",
                    description="Reads", is_enabled=True),
            AppRole(id=uuid.uuid4(), allowed_member_types=["User", "Application"], display_name="Writer",
                    value="Writer", description="Writes", is_enabled=True),
        ],
    )


def test_application_lifecycle_with_typed_models(served):
    seed(served.store, {"users": [ALICE]})

    async def scenario(client: GraphServiceClient):
        created = await client.applications.post(full_application("SDK full"))
        assert isinstance(created, Application)
        assert created.id and created.app_id and created.display_name == "SDK full"
        assert isinstance(created.created_date_time, dt.datetime)
        assert created.publisher_domain == "contoso.onmicrosoft.com"
        assert created.web.redirect_uris == ["https://app.contoso.com/signin-oidc"]
        assert created.spa.redirect_uris == ["https://spa.contoso.com/"]
        assert [role.value for role in created.app_roles] == ["Reader", "Writer"]
        assert all(role.origin == "Application" and isinstance(role.id, uuid.UUID) for role in created.app_roles)
        assert created.tags == ["team:hr", "HideApp"]

        fetched = await client.applications.by_application_id(created.id).get()
        assert fetched.id == created.id and fetched.info.privacy_statement_url == "https://contoso.com/privacy"
        assert fetched.api.requested_access_token_version == 2
        by_app_id = await client.applications_with_app_id(created.app_id).get()
        assert by_app_id.id == created.id

        # update, then read the change back
        assert await client.applications.by_application_id(created.id).patch(
            Application(display_name="SDK renamed", notes="n")) is None
        renamed = await client.applications.by_application_id(created.id).get()
        assert (renamed.display_name, renamed.notes) == ("SDK renamed", "n")

        # service principal: create, upsert, read
        sp = await client.service_principals.post(ServicePrincipal(app_id=created.app_id))
        assert isinstance(sp, ServicePrincipal) and sp.tags == ["team:hr", "HideApp"]
        assert [role.value for role in sp.app_roles] == ["Reader", "Writer"]
        assert await client.service_principals_with_app_id(created.app_id).patch(
            ServicePrincipal(notes="sp notes"), request_configuration=create_if_missing()) is None
        sp_again = await client.service_principals.by_service_principal_id(sp.id).get()
        assert sp_again.notes == "sp notes"
        sps = await client.service_principals.get()

        # owners and users
        users = await client.users.get()
        alice = await client.users.by_user_id("alice@contoso.com").get()
        assert isinstance(alice, User) and alice.display_name == "Alice"
        await client.applications.by_application_id(created.id).owners.ref.post(
            ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{alice.id}"))
        owners = await client.applications.by_application_id(created.id).owners.get()
        assert [type(owner) for owner in owners.value] == [User]
        assert owners.value[0].id == alice.id

        assert_no_leftovers(created, fetched, by_app_id, renamed, sp, sp_again, sps, users, alice, owners,
                            must_see=(Application, AppRole, WebApplication, SpaApplication, ApiApplication,
                                      InformationalUrl, ServicePrincipal, User))

        # delete; then the error surfaces as ODataError
        assert await client.applications.by_application_id(created.id).delete() is None
        with pytest.raises(ODataError) as raised:
            await client.applications.by_application_id(created.id).get()
        error = raised.value
        assert error.response_status_code == 404
        assert error.error.code == "Request_ResourceNotFound" and created.id in error.error.message
        inner = error.error.inner_error
        assert inner.request_id and inner.client_request_id and isinstance(inner.date, dt.datetime)
        assert_no_leftovers(error.error)
        with pytest.raises(ODataError):
            await client.service_principals.by_service_principal_id(sp.id).get()

    sdk_run(served.base_url, scenario)


def test_upsert_by_unique_name_with_typed_models(served):
    async def scenario(client: GraphServiceClient):
        # A fresh builder per call: the SDK's alternate-key builders write the key into the client's shared
        # path_parameters dict, so a builder kept across another applications_with_unique_name() call is retargeted.
        def builder():
            return client.applications_with_unique_name("sdk-upsert")

        created = await builder().patch(Application(display_name="Upserted"), request_configuration=create_if_missing())
        assert isinstance(created, Application)
        assert created.unique_name == "sdk-upsert" and created.display_name == "Upserted" and created.id
        again = await builder().patch(Application(display_name="Upserted again"),
                                    request_configuration=create_if_missing())
        assert again is None  # 204
        fetched = await client.applications.by_application_id(created.id).get()
        assert fetched.display_name == "Upserted again" and fetched.unique_name == "sdk-upsert"
        assert (await builder().get()).id == created.id
        assert_no_leftovers(created, fetched, must_see=(Application,))

        with pytest.raises(ODataError) as raised:
            await client.applications_with_unique_name("sdk-missing").patch(Application(display_name="x"))
        assert raised.value.response_status_code == 404
        assert raised.value.error.code == "Request_ResourceNotFound"

        await builder().delete()
        with pytest.raises(ODataError):
            await builder().get()

    sdk_run(served.base_url, scenario)


def test_enabled_role_change_surfaces_as_odata_error(served):
    async def scenario(client: GraphServiceClient):
        created = await client.applications.post(full_application("roles"))
        roles = created.app_roles
        roles[0].description = "changed"
        roles[0].origin = None  # read-only: Graph refuses it on writes
        roles[1].origin = None
        with pytest.raises(ODataError) as raised:
            await client.applications.by_application_id(created.id).patch(Application(app_roles=roles))
        assert raised.value.response_status_code == 400
        assert raised.value.error.code == "CannotDeleteOrUpdateEnabledEntitlement"
        assert raised.value.error.message == \
            "Permission (scope or role) cannot be deleted or updated unless disabled first."

    sdk_run(served.base_url, scenario)


def test_paging_applications_with_typed_models(tmp_path):
    # Typed objects cost ~9 ms each in the SDK's deserialisers (msgraph-sdk-python #584).
    store = Store(tmp_path / "t.db")
    add_applications(store, BULK, prefix="page")
    with serving(store) as emulator:
        async def scenario(client: GraphServiceClient):
            page = await client.applications.get()
            pages, apps = 1, []
            while True:
                assert len(page.value) <= 100
                apps += page.value
                assert_no_leftovers(page.value, must_see=(Application,) if page.value else ())
                if not page.odata_next_link:
                    return pages, apps
                assert "$skiptoken=" in page.odata_next_link
                page = await client.applications.with_url(page.odata_next_link).get()
                pages += 1

        pages, apps = sdk_run(emulator.base_url, scenario)
    assert pages == 3
    assert [app.display_name for app in apps] == [f"page-{i:05d}" for i in range(BULK)]
    assert len({app.id for app in apps}) == BULK


def test_tenant_policy_domains_and_organization_with_typed_models(served):
    from msgraph.generated.models.domain import Domain
    from msgraph.generated.models.identifier_uri_restriction import IdentifierUriRestriction
    from msgraph.generated.models.organization import Organization
    from msgraph.generated.models.tenant_app_management_policy import TenantAppManagementPolicy
    from msgraph.generated.models.verified_domain import VerifiedDomain

    seed(served.store, {"tenant": {"verifiedDomains": ["contoso.com"]}})

    async def scenario(client: GraphServiceClient):
        policy = await client.policies.default_app_management_policy.get()
        assert isinstance(policy, TenantAppManagementPolicy) and policy.is_enabled is True
        restriction = policy.application_restrictions.identifier_uris.uri_addition_without_unique_tenant_identifier
        assert restriction.state.value == "enabled" and restriction.exclude_saml is True
        domains = await client.domains.get()
        assert [domain.id for domain in domains.value] == ["contoso.onmicrosoft.com", "contoso.com"]
        organization = await client.organization.get()
        assert [d.name for d in organization.value[0].verified_domains] == ["contoso.onmicrosoft.com", "contoso.com"]
        assert_no_leftovers(policy, domains, organization,
                            must_see=(TenantAppManagementPolicy, IdentifierUriRestriction, Domain, Organization,
                                      VerifiedDomain))

    sdk_run(served.base_url, scenario)


def test_consent_assignments_scopes_and_logo_with_typed_models(served):
    """Issue 15's surface through `idamconf emulator serve`'s stack (uvicorn on loopback), read with the official
    SDK's typed models: nothing may be left over in any `additional_data`."""
    from msgraph.generated.models.app_role_assignment import AppRoleAssignment
    from msgraph.generated.models.group import Group
    from msgraph.generated.models.o_auth2_permission_grant import OAuth2PermissionGrant
    from msgraph.generated.models.optional_claim import OptionalClaim
    from msgraph.generated.models.optional_claims import OptionalClaims
    from msgraph.generated.models.permission_scope import PermissionScope
    from msgraph.generated.models.pre_authorized_application import PreAuthorizedApplication
    from msgraph.generated.models.required_resource_access import RequiredResourceAccess
    from msgraph.generated.models.resource_access import ResourceAccess
    from msgraph.generated.oauth2_permission_grants.oauth2_permission_grants_request_builder import (
        Oauth2PermissionGrantsRequestBuilder)

    from idamconf.emulator.graph_permissions import GRAPH_APP_ID

    seed(served.store, {"users": [ALICE], "groups": [{"displayName": "SDK readers"}]})
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    scope_id, client_id = uuid.uuid4(), uuid.uuid4()

    async def scenario(client: GraphServiceClient):
        graph = await client.service_principals_with_app_id(GRAPH_APP_ID).get()
        user_read = next(s for s in graph.oauth2_permission_scopes if s.value == "User.Read")
        user_read_all = next(r for r in graph.app_roles if r.value == "User.Read.All")
        role = AppRole(id=uuid.uuid4(), allowed_member_types=["User"], display_name="Internal user",
                       value="Internal.User", description="Everyone inside", is_enabled=True)
        saml_role = AppRole(id=uuid.uuid4(), allowed_member_types=["User"], display_name="SAML only",
                            description="No value", is_enabled=True)
        app = await client.applications.post(Application(
            display_name="SDK consent", notes="ticket CHG0001", service_management_reference="CHG0001",
            app_roles=[role, saml_role],
            api=ApiApplication(requested_access_token_version=2, known_client_applications=[client_id],
                               oauth2_permission_scopes=[PermissionScope(
                                   id=scope_id, type="User", value="Orders.Read", is_enabled=True,
                                   admin_consent_display_name="Read orders", admin_consent_description="Reads")],
                               pre_authorized_applications=[PreAuthorizedApplication(
                                   app_id=str(client_id), delegated_permission_ids=[str(scope_id)])]),
            optional_claims=OptionalClaims(id_token=[OptionalClaim(name="groups", essential=False,
                                                                   additional_properties=[])]),
            group_membership_claims="SecurityGroup",
            required_resource_access=[RequiredResourceAccess(resource_app_id=GRAPH_APP_ID, resource_access=[
                ResourceAccess(id=user_read.id, type="Scope"), ResourceAccess(id=user_read_all.id, type="Role")])]))
        sp = await client.service_principals.post(ServicePrincipal(app_id=app.app_id))
        await client.service_principals.by_service_principal_id(sp.id).patch(
            ServicePrincipal(app_role_assignment_required=True, notification_email_addresses=["ops@contoso.com"]))

        await client.applications.by_application_id(app.id).logo.put(png)
        assert await client.applications.by_application_id(app.id).logo.get() == png

        groups = await client.groups.get()
        group = next(g for g in groups.value if g.display_name == "SDK readers")
        assigned = await client.service_principals.by_service_principal_id(sp.id).app_role_assigned_to.post(
            AppRoleAssignment(principal_id=uuid.UUID(group.id), resource_id=uuid.UUID(sp.id), app_role_id=role.id))
        held = await client.service_principals.by_service_principal_id(sp.id).app_role_assignments.post(
            AppRoleAssignment(principal_id=uuid.UUID(sp.id), resource_id=uuid.UUID(graph.id),
                              app_role_id=user_read_all.id))
        grant = await client.oauth2_permission_grants.post(OAuth2PermissionGrant(
            client_id=sp.id, consent_type="AllPrincipals", resource_id=graph.id, scope="openid User.Read"))
        await client.oauth2_permission_grants.by_o_auth2_permission_grant_id(grant.id).patch(
            OAuth2PermissionGrant(scope="openid profile User.Read"))

        listed_to = await client.service_principals.by_service_principal_id(sp.id).app_role_assigned_to.get()
        of_group = await client.groups.by_group_id(group.id).app_role_assignments.get()
        params = Oauth2PermissionGrantsRequestBuilder.Oauth2PermissionGrantsRequestBuilderGetQueryParameters(
            filter=f"clientId eq '{sp.id}'")
        grants = await client.oauth2_permission_grants.get(RequestConfiguration(query_parameters=params))
        read_app = await client.applications.by_application_id(app.id).get()
        read_sp = await client.service_principals.by_service_principal_id(sp.id).get()

        assert [a.id for a in listed_to.value] == [assigned.id] and [a.id for a in of_group.value] == [assigned.id]
        assert assigned.principal_type == "Group" and held.principal_type == "ServicePrincipal"
        assert [g.scope for g in grants.value] == ["openid profile User.Read"]
        assert read_sp.app_role_assignment_required is True
        assert [s.value for s in read_sp.oauth2_permission_scopes] == ["Orders.Read"]
        assert read_app.info.logo_url and read_sp.info.logo_url == read_app.info.logo_url
        assert (read_app.notes, read_app.service_management_reference) == ("ticket CHG0001", "CHG0001")
        assert [r.value for r in read_app.app_roles] == ["Internal.User", None]
        assert read_app.required_resource_access[0].resource_access[1].id == user_read_all.id
        assert_no_leftovers(graph, app, sp, groups, assigned, held, grant, listed_to, of_group, grants, read_app,
                            read_sp, must_see=(Application, ServicePrincipal, AppRoleAssignment, OAuth2PermissionGrant,
                                               PermissionScope, PreAuthorizedApplication, Group, OptionalClaims,
                                               OptionalClaim, RequiredResourceAccess, ResourceAccess, AppRole))

    sdk_run(served.base_url, scenario)
