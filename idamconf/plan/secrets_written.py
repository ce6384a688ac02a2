"""A plan never writes what looks like a secret to the tenant, nor shows it (config/secrets.py: an Entra client
secret, a private key, a JWT, a connection string): a value of that shape in what a change would write -- a
description, a tag, a redirect URI -- refuses the plan, naming where, never the value. `lint` reports such a value as
security.secret-in-file; a pull request's plan runs whatever lint says, and printed it (found by a review in session
46). Only what changes is looked at: a plan with no changes looks at nothing, and a value the tenant already holds
unchanged is the tenant's. Secrets live only in the vault (credentials/, vault/).

What the tenant holds is another matter: a secret pasted in the portal into a description is what a plan that
changes it shows as "before". It is not a reason to refuse the plan (which would remove it), but it is never shown:
every output -- the terminal, Markdown, the comment, JSON and the saved plan -- shows a change through
`hiding_secrets`.
Apply works from the plan itself, which still holds the tenant's values (a role disabled first is sent back as
read)."""

from __future__ import annotations

from dataclasses import replace

from ..config.secrets import secret_shape, strings_in, without_secrets
from .model import Action, Change


def secrets_written(plan) -> list[tuple]:
    """(change, dotted path of the value, what it looks like) for each secret-shaped value a change would write that
    the tenant does not hold there already: all of a creation, the changed attributes of an update. (An update's
    request may carry values it does not change -- a role disabled first is sent back as read, the tenant's secret
    in its description included -- and those are the tenant's, not the file's: refusing them blocked the very plan
    that removes such a secret, and blamed the file.)"""
    found = []
    for change in plan.changes:
        if change.action is Action.NOOP or not change.after:
            continue
        written = strings_in(change.after) if change.action is Action.CREATE else (
            ((*attribute.path.split("."), *path), value) for attribute in change.attributes
            for path, value in strings_in(attribute.after))
        for path, value in written:
            kind = secret_shape(value)
            if kind:
                found.append((change, ".".join(map(str, path)), kind))
    return found


def hiding_secrets(change: Change) -> Change:
    """The change as outputs show it: each secret-shaped value in it replaced by a placeholder -- the tenant's, as
    what the file writes never has one (`secrets_written`): what it changes or removes, and what an update sends back
    as read (a role disabled first). Unchanged resources are not looked at: their values are the configuration's
    too, which lint reports."""
    if change.action is Action.NOOP:
        return change
    before, after = without_secrets(change.before), without_secrets(change.after)
    attributes = tuple(map(_hidden, change.attributes))
    if before is change.before and after is change.after and \
            all(new is old for new, old in zip(attributes, change.attributes)):
        return change
    return replace(change, before=before, after=after, attributes=attributes)


def _hidden(attribute):
    before, after = without_secrets(attribute.before), without_secrets(attribute.after)
    return attribute if before is attribute.before and after is attribute.after else \
        replace(attribute, before=before, after=after)
