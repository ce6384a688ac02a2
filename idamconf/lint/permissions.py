"""`security.high-privilege-permission`: application permissions that let an application change the whole directory
or its policies, grant itself more, or read and write everyone's data -- any permission that writes (`*.ReadWrite`,
`*.ReadWrite.*`: every mailbox, every site, the tenant's policies -- conditional access, token lifetimes --, the
applications it owns), `*.FullControl.*`, `*.Manage.All`, `*.ManageIdentities.*`, `Mail.Send` (as anyone),
`Directory.*`, `RoleManagement.*`, `AppRoleAssignment.*` -- unless the project allows them by name
(`defaults.allowedPermissions` in idamconf.yaml). Until session 46 only `*.ReadWrite.All` of the writing ones were
reported: `Policy.ReadWrite.ConditionalAccess`, `Mail.ReadWrite` and `Sites.FullControl.All` passed (a review).

Only application permissions: a daemon holding one acts alone, on everything, with nobody signed in; a delegated
permission is bounded by what the signed-in user may do. The allow-list is the project's, in idamconf.yaml, not the
application file's: the file is what a service team's pull request writes, so an exception written there would be
granted by the request itself. Names are compared case-insensitively (`group.readwrite.all` is Group.ReadWrite.All
to whoever reads it). Each environment's values are checked (an override may add a permission in live only), and a
finding names the environments it is found in.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..config.model import Application
from ..config.yamlfile import Document
from .checks import Hit

RULE = "security.high-privilege-permission"
HIGH_PRIVILEGE = re.compile(r"\.ReadWrite(\.|$)|\.FullControl\.|\.Manage\.All$|\.ManageIdentities\.|^Mail\.Send$|"
                            r"^Directory\.|^RoleManagement\.|^AppRoleAssignment\.", re.IGNORECASE)


def high_privilege(app: Application, document: Document, environments: tuple, allowed) -> Iterator[Hit]:
    """A hit per high-privilege application permission not in `allowed`, with the environments it is in."""
    allowed = {name.casefold() for name in allowed or () if isinstance(name, str)}
    found: dict[tuple, list[str]] = {}
    for environment in environments or ("",):
        variant = app.for_environment(environment)
        base = ("overrides", environment) if variant is not app and _overrides_permissions(document, environment) \
            else ()
        for index, entry in enumerate(variant.api_permissions):
            for position, value in enumerate(entry.application):
                if HIGH_PRIVILEGE.search(value) and value.casefold() not in allowed:
                    path = (*base, "apiPermissions", index, "application", position)
                    found.setdefault((path, entry.api, value), []).append(environment)
    for (path, api, value), where in found.items():
        yield Hit(RULE, document, path, f"application permission {value} of {api} is high-privilege: it "
                  "reaches the whole directory, or lets the application grant itself more, with nobody signed in",
                  f"request a narrower permission (e.g. a .Read.All one, or Sites.Selected), or have the security "
                  f"team allow it by name in idamconf.yaml: defaults.allowedPermissions: [{value}]",
                  tuple(name for name in where if name))


def _overrides_permissions(document: Document, environment: str) -> bool:
    overrides = document.value.get("overrides") if isinstance(document.value, dict) else None
    override = overrides.get(environment) if isinstance(overrides, dict) else None
    return isinstance(override, dict) and "apiPermissions" in override
