"""Federated identity credentials: the external workloads trusted to sign in as an application with their own
token (workload identity federation), so that a pipeline needs no secret at all.

    federatedCredentials:
      - name: github-live
        issuer: https://token.actions.githubusercontent.com
        subject: repo:contoso/payments:environment:live
        # audiences: [api://AzureADTokenExchange]   (the default: Entra ID's)

Each is a resource (`app.payments.federated_credential[github-live]`), keyed by its name: Graph's alternate key,
immutable once created, so apply upserts by name (`PATCH …/federatedIdentityCredentials(name='…')` with
`Prefer: create-if-missing`: a repeated apply never duplicates one). Graph keeps the name unique in the
application, the issuer and subject together unique, at most 20 per application, and one audience
(api-reference/v1.0/resources/federatedidentitycredential.md): `validate` refuses what Graph would.

Graph lists them per application (no `$expand` on the application list), so a plan reads them only for the
applications whose file has `federatedCredentials` (one request each, `$batch`ed 20 at a time); a file without the
key leaves the application's federated credentials alone -- the tool never removes a trust it was not told about.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from ..config.model import Location
from ..config.yamlfile import Document, render_path
from ..diagnostics import Diagnostic

KEY = "federatedCredentials"
KIND = "federated_credential"
ENTRA_AUDIENCE = "api://AzureADTokenExchange"
MOST = 20  # per application (federatedidentitycredential-upsert.md: "Maximum of 20 objects")
FIELDS = ("name", "issuer", "subject", "audiences", "description")


@dataclass(frozen=True)
class FederatedCredential:
    name: str
    issuer: str
    subject: str
    audiences: tuple[str, ...] = (ENTRA_AUDIENCE,)
    description: str | None = None
    location: Location | None = field(default=None, compare=False)


def federated_of(raw: dict, location: Location) -> tuple[FederatedCredential, ...] | None:
    """The federated credentials an application document declares; None when it does not say (left alone)."""
    if KEY not in raw:
        return None
    return tuple(FederatedCredential(entry["name"], entry["issuer"], entry["subject"],
                                     tuple(entry.get("audiences") or (ENTRA_AUDIENCE,)), entry.get("description"),
                                     location.at(KEY, index))
                 for index, entry in enumerate(raw[KEY] or []))


def check(document: Document, credentials) -> list[Diagnostic]:
    """Names unique (in any case: Graph compares them so, inferred) and issuer + subject unique, as Graph keeps
    them; the count is the schema's (maxItems)."""
    problems, names, pairs = [], {}, {}
    for index, credential in enumerate(credentials or ()):
        for seen, key, what, at in ((names, credential.name.casefold(), f"name '{credential.name}'", "name"),
                                    (pairs, (credential.issuer, credential.subject), "issuer and subject", "subject")):
            first = seen.setdefault(key, index)
            if first != index:
                problems.append(document.diagnostic((KEY, index, at), f"federated credential {what} also used by "
                                                     f"{render_path((KEY, first))}: Graph keeps them unique in an "
                                                     "application", f"give each federated credential its own {at}"))
    return problems


# ------------------------------------------------------------------------------------------------------- plan
def attributes(name: str, issuer, subject, audiences, description) -> dict:
    """One normal form for both sides: what the plan compares and shows, and Graph's body as it is."""
    return {"name": name, "issuer": issuer, "subject": subject, "audiences": sorted(audiences or []),
            "description": description or None}


def desired(credentials, address: str) -> list[tuple]:
    """(kind, address, attributes, identity, ids) of the credentials a file declares."""
    return [(KIND, f"{address}.{KIND}[{c.name}]", attributes(c.name, c.issuer, c.subject, c.audiences,
                                                            c.description), c.name.casefold(), {})
            for c in credentials or ()]


def live(found: list[dict], address: str, ids: dict) -> list[tuple]:
    """The same, of the credentials Graph listed for one application (`ids`: the application's)."""
    return [(KIND, f"{address}.{KIND}[{c.get('name')}]",
             attributes(c.get("name"), c.get("issuer"), c.get("subject"), c.get("audiences"), c.get("description")),
             str(c.get("name")).casefold(), {**ids, "credentialId": c.get("id")}) for c in found]


def shown_path(name: str) -> str:
    """Graph's path of one credential of an application, by its name (quotes doubled, as OData keys are)."""
    return f"federatedIdentityCredentials(name='{name.replace(chr(39), chr(39) * 2)}')"


# ------------------------------------------------------------------------------------------------------ apply
PARK, WRITE = "park", "write"


def parked_subject(name: str) -> str:
    """The subject a credential holds for a moment while another takes its issuer and subject: random, so that no
    token names it, even from an issuer whose users choose their own subject."""
    return f"idamconf:moving:{name}:{secrets.token_hex(16)}"


def write_order(changes: list) -> list[tuple[str, object]]:
    """The steps that make `changes` (creates and updates of one application's credentials, its removals already
    done) without ever asking Graph to hold one issuer and subject twice (federatedidentitycredential.md: "The
    combination of the values of issuer and subject must be unique within the app"; a write breaking it is refused
    400): a write waits until the credential holding its pair has moved off it, and where credentials trade their
    pairs (a swap, a ring) one is first parked on a subject of its own, then written once its pair is free.
    Each step is (WRITE, change) or (PARK, change)."""
    def pair(attributes: dict) -> tuple:
        return attributes["issuer"], attributes["subject"]

    holder = {pair(change.before): change for change in changes if change.before is not None}
    pending, steps = list(changes), []
    while pending:
        free = [change for change in pending if holder.get(pair(change.after), change) is change]
        if not free:  # each waits on another, which holds the pair it wants: a ring; one of them steps aside
            parked = holder[pair(pending[0].after)]
            steps.append((PARK, parked))
            del holder[pair(parked.before)]
            continue
        for change in free:
            steps.append((WRITE, change))
            pending.remove(change)
            if change.before is not None and holder.get(pair(change.before)) is change:
                del holder[pair(change.before)]  # its old pair is free (the new ones are all distinct: validate)
    return steps
