"""Applications a plan destroys to create another in their place: a change that cannot be made in place.

An application's `name` is Graph's uniqueName, which never changes: a file whose `name` changed asks for a new
application and the end of the old one. The plan says so as Terraform does, `-/+ ... forces replacement`, with what
is lost -- the old client id, and with the application its service principal: whoever was assigned to its roles,
the consents given to it, its credentials and sign-in settings, the access packages granting its roles and
everyone's assignments to them -- and how to rename without replacing (`renamedFrom:`, config/model.Application.key).

Which created application takes which destroyed one's place is not written anywhere (the old file is gone, or has a
new name): an application created and one destroyed in the same plan are taken for one renamed when they share a
display name (as Graph compares names: in any case) or an identifier URI (which two applications cannot hold at
once: the new one claims what the old one gives up).
"""

from __future__ import annotations

from .model import Action, Change


def application_replacements(changes: tuple[Change, ...]) -> dict[str, str]:
    """Destroyed application's address -> the address of the application created in its place."""
    created = [c for c in changes if c.kind == "application" and c.action is Action.CREATE]
    taken: dict[str, str] = {}
    for gone in (c for c in changes if c.kind == "application" and c.action is Action.DELETE):
        successor = next((c for c in created if c.address not in taken.values() and _alike(gone.before, c.after)),
                         None)
        if successor is not None:
            taken[gone.address] = successor.address
    return taken


def _alike(before: dict, after: dict) -> bool:
    same_name = (before.get("displayName") or "").casefold() == (after.get("displayName") or "").casefold()
    return same_name or bool(set(before.get("identifierUris") or ()) & set(after.get("identifierUris") or ()))


def replacement_lines(change: Change, successor: str, packages: int, value=str) -> list[str]:
    """Why the application goes, what goes with it, and how to keep it (`value`: the escaping of the output)."""
    old, new = change.address.removeprefix("app."), successor.removeprefix("app.")
    client_id = change.ids.get("appId")
    lost = f"the client id {value(client_id)}" if client_id else "the client id"
    grants = f"; {packages} access package(s) granting its roles, with everyone's assignments" if packages else ""
    return [f"forces replacement by {value(successor)}: `name` is Graph's uniqueName, which cannot change",
            f"lost: {lost}, and with the application its service principal: its users' and groups' role "
            f"assignments, consents, credentials and sign-in settings{grants}",
            f"to rename it instead and keep the application: write renamedFrom: {value(old)} beside name: "
            f"{value(new)}"]
