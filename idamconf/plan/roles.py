"""How plans name an app role: by its value (`app.wordpress.role.Blog.Writer`), or -- a role without a value, as a
SAML application's `User` or `msiam_access` -- by its display name in brackets (`app.saml.role[User]`), or by its id
when another role of the application without a value has that display name too. Both sides, desired and live, name
roles by the same rule, so an address is stable and no two resources share one (a saved plan's fingerprints are
keyed by address).
"""

from __future__ import annotations

from collections import Counter


def role_parts(roles) -> list[str]:
    """Each role's part of its address (`.Blog.Writer`, `[User]`, `[<id>]`), in order; `roles`: (id, value,
    display name) of one application's roles."""
    roles = list(roles)
    named = Counter(name for _, value, name in roles if not value)
    return [f".{value}" if value else f"[{role_id if named[name] > 1 else name}]" for role_id, value, name in roles]


def role_label(part: str) -> str:
    """The role as a plan names it in values (a role scope's `role`): its value, display name or id."""
    return part[1:] if part.startswith(".") else part[1:-1]


def role_of(address: str) -> str:
    """The role part an address is about (app.a.role.X.access_package -> .X; app.a.role[User] -> [User]), else "".
    Application names hold no dot, so what follows app.<name>. is the resource's. (Called for every resource of a
    plan: kept to a few string operations.)"""
    start = address.find(".", 4) + 1
    if not start or not address.startswith(("role.", "role["), start) or not address.startswith("app."):
        return ""
    part = address[start + 4:]
    if part[0] == ".":
        return part.split(".access_package", 1)[0]
    head, found, _ = part.rpartition("].access_package")
    return head + "]" if found else part
