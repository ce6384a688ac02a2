"""Apply an application's credentials: its federated credentials by name (credentials/federated.py) and its
certificates (credentials/certificates.py).

Federated credentials are upserted by name (`PATCH …/federatedIdentityCredentials(name='…')` with
`Prefer: create-if-missing`: 201 when created, 204 when updated), so a create whose answer was lost, or an apply
killed half-way, is simply sent again; removals first, so that an issuer and subject can move from one name to
another in one apply (Graph keeps the pair unique). A removal of one already gone counts as done.

Certificates go in one write of the whole `keyCredentials` collection, read just before with the keys (only a read
of one application returns them) so that every certificate idamconf does not manage is kept as it is. Each file
is read again, confined, and must still be the certificate the plan showed (its thumbprint), unexpired: a file
swapped between plan and apply is refused before anything is sent.
"""

from __future__ import annotations

from pathlib import Path

from . import apply_secrets
from .apply_access import StepFailed
from .credentials import certificates, federated
from .graph.client import query
from .plan.model import Action, Change

VERBS = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "removed"}


async def write(chain) -> None:
    """The chain's credential changes, once its application exists."""
    await _federated(chain)
    await _certificates(chain)
    await apply_secrets.write(chain)


async def _federated(chain) -> None:
    """Removals first, then the writes in an order Graph takes: no issuer and subject held twice at any moment
    (credentials/federated.write_order, which parks one of credentials trading their pairs)."""
    changes = [change for change in chain.of(federated.KIND) if change.action is not Action.NOOP]
    for change in [change for change in changes if change.action is Action.DELETE]:
        path = f"applications/{chain.ids['id']}/{federated.shown_path(change.before['name'])}"
        await chain.send("DELETE", path, ok_if=lambda response: response.status == 404, settle=False)
        chain.finish([change], VERBS[change.action])
    for step, change in federated.write_order([change for change in changes if change.action is not Action.DELETE]):
        path = f"applications/{chain.ids['id']}/{federated.shown_path(change.after['name'])}"
        if step == federated.PARK:
            await chain.send("PATCH", path, {"subject": federated.parked_subject(change.after["name"])})
            continue
        body = {key: value for key, value in change.after.items() if key != "name"}
        await chain.send("PATCH", path, body, {"Prefer": "create-if-missing"})
        chain.finish([change], VERBS[change.action])


async def _certificates(chain) -> None:
    changes = [change for change in chain.of(certificates.KIND) if change.action is not Action.NOOP]
    if not changes:
        return
    added = [_added(chain.root, change) for change in changes if change.after is not None]  # before any request
    read = await chain.send("GET", query(f"applications/{chain.ids['id']}", select="keyCredentials"))
    changed = {(change.before or change.after)["keyId"] for change in changes}
    kept = [credential for credential in read.body.get("keyCredentials") or []
            if str(credential.get("keyId")).lower() not in changed]
    await chain.send("PATCH", f"applications/{chain.ids['id']}", {"keyCredentials": kept + added})
    for change in changes:
        chain.finish([change], VERBS[change.action])


def _added(root: Path | None, change: Change) -> dict:
    """Graph's keyCredential for a certificate the plan adds (or renames), read again from its file."""
    pinned = certificates.Certificate(change.ids["file"], sha256="", display_name=change.after["displayName"])
    try:
        facts = certificates.read_certificate(root or Path("."), pinned, check_pin=False)
    except certificates.Refused as refusal:
        raise StepFailed(refusal.summary, change) from None
    if facts.sha1 != change.after["thumbprint"]:
        raise StepFailed(f"'{pinned.file}' is no longer the certificate the plan showed "
                         f"(thumbprint {change.after['thumbprint']}): plan again", change)
    return certificates.graph_body(facts, change.after)
