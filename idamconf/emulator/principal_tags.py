"""A service principal's `tags`: the union of its own and its application's, kept so as the application's change.

serviceprincipal.md, tags: "The value is the union of strings set here and on the associated application entity's
tags property"; application.md, tags: "Strings added here will also appear in the tags property of any associated
service principals." The service principal is stored with the union -- so reads and `$filter` on tags see what
Graph shows -- and the tags written on it (its own) are kept apart (kind `servicePrincipalTags`, by its id): a tag
the application drops leaves the service principal unless it was written there too.
"""

from __future__ import annotations

from .store import Store

KIND = "servicePrincipalTags"


def written(store: Store, service_principal_id: str, own: list, application_tags: list) -> list:
    """The service principal's tags once `own` are written on it: kept apart, and joined with its application's."""
    store.put(KIND, {"id": service_principal_id, "tags": list(own)})
    return union(own, application_tags)


def synced(store: Store, service_principal: dict, application_tags: list) -> list:
    """The service principal's tags once its application's are `application_tags`."""
    found = store.get(KIND, service_principal["id"], primary=True)
    own = found["tags"] if found else service_principal.get("tags") or []  # one stored before tags were kept apart
    return union(own, application_tags)


def union(own: list, application_tags: list) -> list:
    """Its own first, then the application's it does not have (compared as Graph compares tags: exactly)."""
    return [*own, *(tag for tag in application_tags if tag not in own)]
