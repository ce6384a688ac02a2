"""A plan never writes what looks like a secret to the tenant, nor shows it (config/secrets.py: an Entra client
secret, a private key, a JWT, a connection string): a value of that shape in what a change would write -- a
description, a tag, a redirect URI -- refuses the plan, naming where, never the value. `lint` reports such a value as
security.secret-in-file; a pull request's plan runs whatever lint says, and printed it (found by a review in session
46). Only what changes is looked at: a plan with no changes looks at nothing, and a value the tenant already holds
unchanged is the tenant's. Secrets live only in the vault (credentials/, vault/)."""

from __future__ import annotations

from ..config.secrets import secret_shape, strings_in
from .model import Action


def secrets_written(plan) -> list[tuple]:
    """(change, dotted path of the value, what it looks like) for each secret-shaped value a change would write."""
    found = []
    for change in plan.changes:
        if change.action is Action.NOOP or not change.after:
            continue
        for path, value in strings_in(change.after):
            kind = secret_shape(value)
            if kind:
                found.append((change, ".".join(map(str, path)), kind))
    return found
