"""Fixtures for an emulated tenant: the tenant itself, directory users (read-only through Graph) and other objects,
from YAML.

    tenant:                    # optional
      id: 5f1c...              # the tenant id (default: a random GUID when the state is created)
      verifiedDomains: [contoso.com]   # besides the initial domain, contoso.onmicrosoft.com (always verified)
      enforcePermissions: true         # optional: tokens and Graph's permissions checked (docs/identity-provider.md)
      defaultAppManagementPolicy:      # optional: a PATCH of /policies/defaultAppManagementPolicy, e.g. to turn
        applicationRestrictions:       # off the identifier URI restriction Microsoft enables by default
          identifierUris: {uriAdditionWithoutUniqueTenantIdentifier: {state: disabled}}
    users:
      - userPrincipalName: alice.admin@contoso.com
        displayName: Alice Admin
        id: 5b0c...            # optional: by default a stable id derived from the user principal name
    groups:                    # optional: groups, e.g. to assign app roles to or name as access package requestors
      - displayName: HR managers
        id: 7d0c...            # optional: by default a stable id derived from the display name
        members: [alice.admin@contoso.com]   # optional: users of the seed; a token carries the group's app roles
        # securityEnabled: true, mailEnabled: false, groupTypes: [] -- a security group, unless said otherwise
        # (groupTypes: [Unified] with mailEnabled: true and securityEnabled: false is a Microsoft 365 group)
    directoryRoles:            # optional: built-in directory roles and their members: a token's `wids` claim
      - roleTemplateId: f2ef992c-3afb-46b9-b7cf-a126ee74c451   # Global Reader (Entra's built-in roles' ids)
        displayName: Global Reader
        members: [alice.admin@contoso.com]
    applications:              # optional: objects the project does not manage, as Graph request bodies
      - displayName: Legacy HR portal
        appId: 0f1e...         # optional: fixed (by default Graph's, random); and what a portal registration has:
        servicePrincipal: true # its enterprise application (or a body for it, e.g. {appRoleAssignmentRequired: true})
        owners: [alice.admin@contoso.com]
"""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

from . import entities, tenant
from .directory import _new_application, _new_service_principal
from .errors import GraphError
from .store import Store

_USER_NAMESPACE = uuid.UUID("6f1d3c0e-4f5a-4b8e-9d7c-2a1b0c9d8e7f")
_GROUP_NAMESPACE = uuid.UUID("2c4e6a8b-1d3f-4a5c-8e7b-9d0f1a2b3c4d")
_ROLE_NAMESPACE = uuid.UUID("5e0b7a1c-93d4-4f6e-a2b8-c1d0e9f8a7b6")
LISTS = ("users", "groups", "directoryRoles", "applications")


class SeedError(ValueError):
    pass


def seed_file(store: Store, path: Path) -> dict[str, int]:
    try:
        fixtures = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as error:
        raise SeedError(f"{path}: cannot read seed file: it is not UTF-8 text (byte 0x{error.object[error.start]:02x} "
                        f"at offset {error.start})") from None
    except yaml.MarkedYAMLError as error:  # where, as every diagnostic says it: file:line:column
        mark = error.problem_mark or error.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise SeedError(f"{path}{where}: cannot read seed file: {error.problem or error.context}") from None
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read seed file: {error}") from None
    except RecursionError:  # PyYAML's composer recurses: some thousand levels of [ or { exhaust it
        raise SeedError(f"{path}: cannot read seed file: it is nested too deeply") from None
    if not isinstance(fixtures, dict) or set(fixtures) - {"tenant", *LISTS}:
        raise SeedError(f"{path}: a seed file is a mapping with a 'tenant' mapping and/or 'users', 'groups', "
                        "'directoryRoles' and 'applications' lists")
    return seed(store, fixtures, str(path))


def seed(store: Store, fixtures: dict, origin: str = "seed") -> dict[str, int]:
    for name in LISTS:  # (a number was iterated: an unexpected TypeError, not the file's problem)
        if not isinstance(fixtures.get(name) or [], list):
            raise SeedError(f"{origin}: '{name}' is a list (each entry a mapping), or left out")
    with store.transaction():
        if fixtures.get("tenant") is not None:
            if not isinstance(fixtures["tenant"], dict):
                raise SeedError(f"{origin}: tenant is a mapping: id, verifiedDomains, defaultAppManagementPolicy")
            tenant.seed_tenant(store, fixtures["tenant"], origin, SeedError)
        for user in fixtures.get("users") or []:
            store.put("users", _user(user, origin))
        for group in fixtures.get("groups") or []:
            members = group.pop("members", None) if isinstance(group, dict) else None
            made = _group(group, origin)
            store.put("groups", made)
            _add_members(store, made, members, origin, "group")
        for role in fixtures.get("directoryRoles") or []:
            members = role.pop("members", None) if isinstance(role, dict) else None
            made = _directory_role(role, origin)
            store.put("directoryRoles", made)
            _add_members(store, made, members, origin, "directory role")
        for body in fixtures.get("applications") or []:
            try:
                _foreign_application(store, dict(body), origin)
            except GraphError as refused:  # Graph's rules apply to what a seed puts in the tenant too
                raise SeedError(f"{origin}: application {body.get('displayName')!r}: {refused.message}") from None
    return {name: len(fixtures.get(name) or []) for name in LISTS}


def _foreign_application(store: Store, body: dict, origin: str) -> None:
    """An application made elsewhere (the portal, a script, Terraform): a Graph request body, plus what a portal
    registration brings along -- `appId` (fixed, so a test or a walkthrough can name it), `servicePrincipal` (true,
    or a body for it) and `owners` (user principal names)."""
    app_id, principal, owners = body.pop("appId", None), body.pop("servicePrincipal", None), body.pop("owners", [])
    made = _new_application(store, body)
    if app_id:
        made["appId"] = str(app_id).lower()
        store.put("applications", made)
    if principal:
        _new_service_principal(store, {**(principal if isinstance(principal, dict) else {}), "appId": made["appId"]})
    for upn in owners:
        user = store.find("users", "userPrincipalName", upn)
        if user is None:
            raise SeedError(f"{origin}: application {made['displayName']!r}: owner {upn} is not a seeded user")
        store.link("owners", made["id"], user["id"])


def _filled(defaults: dict, fields: dict, what: str, origin: str) -> dict:
    """A directory object of Graph's shape from a fixture's fields; fields the type does not have are refused."""
    unknown = set(fields) - set(defaults)
    if unknown:
        raise SeedError(f"{origin}: {what}: unknown field(s) {', '.join(sorted(unknown))}")
    return {**defaults, **fields}


def _group(fields: dict, origin: str) -> dict:
    """A group of Graph's shape: a security group (securityEnabled, not mail-enabled, no groupTypes) unless the
    fixture says otherwise; its id, when not given, derived from its display name (the same in every tenant)."""
    name = fields.get("displayName") if isinstance(fields, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise SeedError(f"{origin}: every group needs a displayName")
    group_id = str(fields.get("id") or uuid.uuid5(_GROUP_NAMESPACE, name.lower()))
    if not entities.GUID.match(group_id):
        raise SeedError(f"{origin}: group {name!r}: id must be a GUID")
    group = _filled(entities.group_defaults(), fields, f"group {name!r}", origin)
    group.update(id=group_id.lower(), createdDateTime=group["createdDateTime"] or entities.now(),
                 mailNickname=group["mailNickname"] or "".join(c for c in name if c.isalnum()) or group_id[:8])
    for flag in ("securityEnabled", "mailEnabled"):
        if not isinstance(group[flag], bool):
            raise SeedError(f"{origin}: group {name!r}: {flag} is true or false")
    return group


def _directory_role(fields: dict, origin: str) -> dict:
    """A directory role of Graph's shape (directoryrole.md): the built-in role of `roleTemplateId` (the GUID Entra's
    built-in roles page gives it, which a token's `wids` carries), its id, when not given, derived from it."""
    template = fields.get("roleTemplateId") if isinstance(fields, dict) else None
    if not isinstance(template, str) or not entities.GUID.match(template):
        raise SeedError(f"{origin}: every directory role needs a roleTemplateId, the GUID of an Entra built-in role")
    role = _filled({"id": None, "deletedDateTime": None, "description": None, "displayName": None,
                    "roleTemplateId": None}, fields, f"directory role {template}", origin)
    role_id = str(fields.get("id") or uuid.uuid5(_ROLE_NAMESPACE, template.lower()))
    if not entities.GUID.match(role_id):
        raise SeedError(f"{origin}: directory role {template}: id must be a GUID")
    return {**role, "id": role_id.lower(), "roleTemplateId": template.lower(),
            "displayName": role["displayName"] or template}


def _add_members(store: Store, group: dict, members, origin: str, kind: str) -> None:
    """A group's or directory role's (`kind`) members, users of the seed by user principal name (a "members" link,
    as owners are kept): the emulator's tokens carry the app roles assigned to a group for its members
    (emulator/identity/roles.py), and a directory role's template id (directory_claims.py)."""
    if members is None:
        return
    if not isinstance(members, list) or not all(isinstance(upn, str) for upn in members):
        raise SeedError(f"{origin}: {kind} {group['displayName']!r}: members is a list of user principal names")
    for upn in members:
        user = store.find("users", "userPrincipalName", upn)
        if user is None:
            raise SeedError(f"{origin}: {kind} {group['displayName']!r}: member {upn!r} is not a user of the seed")
        store.link("members", group["id"], user["id"])


def _user(fields: dict, origin: str) -> dict:
    upn = fields.get("userPrincipalName") if isinstance(fields, dict) else None
    if not isinstance(upn, str) or "@" not in upn:
        raise SeedError(f"{origin}: every user needs a userPrincipalName such as alice@contoso.com")
    user = _filled(entities.user_defaults(), fields, f"user {upn}", origin)
    user["id"] = str(fields.get("id") or uuid.uuid5(_USER_NAMESPACE, upn.lower()))
    user["displayName"] = user["displayName"] or upn.split("@")[0]
    return user
