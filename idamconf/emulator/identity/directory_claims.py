"""What a user token says of the user's place in the directory, as Entra says it for the resource application:

- `email`: the user's `mail`, when the resource asks for the optional claim `email` in `optionalClaims.accessToken`
  and the user has one (optional-claims-reference.md: "The reported email address for this user"; for a member of
  the tenant "it must be requested through this optional claim"). Every user of an emulated tenant is a member.
- `groups`: the object ids of the user's groups, as the resource's `groupMembershipClaims` says
  (access-token-claims-reference.md): `SecurityGroup` its security groups, `All` every group (security groups and
  distribution lists), `ApplicationGroup` those assigned to the application (reference-app-manifest.md: "only
  groups that are assigned to the application"), several of them their union; `None` or null, none. The optional
  claim `groups` only formats the claim ("used with the GroupMembershipClaims setting ..., which must be set as
  well"), so it adds nothing on its own.
- `wids`: the role template ids of the directory roles the user holds (a seed's `directoryRoles`), when
  `groupMembershipClaims` is `All` or `DirectoryRole` (the reference: "Set the claim to All or DirectoryRole").

A group is the user's when the user is a direct member of it (a seed's `members:`; nested groups are not modelled,
as for roles.py). Entra replaces a `groups` claim of more than 200 groups by an overage claim pointing at Graph's
getMemberObjects, which the emulator does not serve: it sends every group (the emulator's choice). Sorted, for
tests that compare them; Entra's order is its own.
"""

from __future__ import annotations

from ..references import ASSIGNMENTS
from ..store import Store


def directory_claims(store: Store, user: dict, resource: dict, application: dict, optional: dict) -> dict:
    """`email`, `groups` and `wids` for `user` calling `resource` (a service principal) of `application`."""
    asked = {part.strip() for part in str(application.get("groupMembershipClaims") or "").split(",")}
    held = store.sources("members", user["id"])
    groups = [group for group in (store.get("groups", held_id) for held_id in held) if group is not None]
    roles = [role for role in (store.get("directoryRoles", held_id) for held_id in held) if role is not None]
    return {"email": user.get("mail") if "email" in optional else None,
            "groups": sorted(group["id"] for group in groups if _sent(store, group, asked, resource)),
            "wids": sorted(role["roleTemplateId"] for role in roles) if asked & {"All", "DirectoryRole"} else []}


def _sent(store: Store, group: dict, asked: set[str], resource: dict) -> bool:
    return "All" in asked or "SecurityGroup" in asked and bool(group.get("securityEnabled")) or \
        "ApplicationGroup" in asked and bool(store.select(ASSIGNMENTS, {"principalId": group["id"],
                                                                          "resourceId": resource["id"]}))
