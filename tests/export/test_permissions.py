"""An application's API permissions as its file writes them (export/permissions.py): `consent: true` only where the
tenant consented to every permission listed for this very application -- applying the file grants whatever it lists,
so a consent written too soon would be granted by adopting the file."""

from __future__ import annotations

from idamconf.export.permissions import MICROSOFT_GRAPH, Apis, api_permissions

READ_ALL, GROUPS = "df021288-bdef-4463-88db-98f22de89214", "98830695-27a2-44f7-8c18-0c3ebc9698f6"
USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
GRAPH = {"id": "graph-sp", "appId": MICROSOFT_GRAPH, "displayName": "Microsoft Graph",
         "appRoles": [{"id": READ_ALL, "value": "User.Read.All"}, {"id": GROUPS, "value": "GroupMember.Read.All"}],
         "oauth2PermissionScopes": [{"id": USER_READ, "value": "User.Read"}]}
APP = {"appId": "a1", "requiredResourceAccess": [{"resourceAppId": MICROSOFT_GRAPH, "resourceAccess": [
    {"id": READ_ALL, "type": "Role"}, {"id": GROUPS, "type": "Role"}, {"id": USER_READ, "type": "Scope"}]}]}
MINE, OTHER = {"id": "my-sp"}, "other-sp"


def assigned(principal: str, *roles: str) -> list[dict]:
    return [{"appRoleId": role, "principalId": principal, "resourceId": "graph-sp"} for role in roles]


def granted(client: str) -> list[dict]:
    return [{"clientId": client, "resourceId": "graph-sp", "scope": "openid User.Read", "consentType": "AllPrincipals"}]


def written(apis: Apis) -> dict:
    [entry], notes = api_permissions(APP, MINE, apis, {})
    assert notes == []
    return entry


def test_every_permission_consented_is_written_with_consent():
    entry = written(Apis({MICROSOFT_GRAPH: GRAPH}, assigned("my-sp", READ_ALL, GROUPS), granted("my-sp")))
    assert entry == {"api": "Microsoft Graph", "delegated": ["User.Read"],
                     "application": ["GroupMember.Read.All", "User.Read.All"], "consent": True}


def test_consent_to_some_of_the_permissions_or_to_another_application_is_not_written():
    some = Apis({MICROSOFT_GRAPH: GRAPH}, assigned("my-sp", READ_ALL), granted("my-sp"))
    elsewhere = Apis({MICROSOFT_GRAPH: GRAPH}, assigned("my-sp", READ_ALL, GROUPS), granted(OTHER))
    others = Apis({MICROSOFT_GRAPH: GRAPH}, assigned("my-sp", READ_ALL) + assigned(OTHER, GROUPS), granted("my-sp"))
    assert [written(apis).get("consent") for apis in (some, elsewhere, others)] == [None, None, None]
