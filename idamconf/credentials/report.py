"""`idamconf credentials report`: every managed application's credentials with their expiry -- the pure part.

`rows(applications, federated, configuration, now, within)` turns what Graph returned (each application with its
`passwordCredentials` and `keyCredentials`, and its federated credentials) into `Row`s, and marks each one expiring
within the window; renderers (human, JSON, Markdown) return strings and escape every value from the tenant.

Managed or not: a certificate is idamconf's when its key id says so (credentials/certificates.key_id); a federated
credential when the application's file names it; a client secret when idamconf added it (its displayName is
`idamconf:<the file's displayName>`: credentials/rotation.py rotates it before it expires).
An unmanaged credential that has expired or expires within the window is a *finding*: nobody reviews its renewal
in a pull request, so someone must act on it. Federated credentials do not expire: they are listed for the
inventory, never counted as expiring. A secret is shown by display name, key id and hint (its first three
characters, which Graph keeps); its value is never read -- Graph returns it only to whoever added it.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

from ..clock import graph_time
from ..escape import json_dumps, md_code, md_text, terminal
from . import certificates
from .client_secrets import MARKER

FORMAT_VERSION = 1
KINDS = {"secret": "client secret", "certificate": "certificate", "federated": "federated credential"}


@dataclass(frozen=True)
class Row:
    application: str  # the application's name in the configuration
    kind: str  # secret | certificate | federated
    display_name: str | None
    key_id: str | None  # a secret's or certificate's key id; a federated credential's id
    detail: str | None  # a secret's hint, a certificate's thumbprint, a federated credential's subject
    end: str | None  # endDateTime, UTC; None: never expires (federated credentials)
    days_left: int | None
    managed: bool
    expiring: bool  # expired, or expires within the window

    @property
    def finding(self) -> bool:
        return self.expiring and not self.managed


def rows(found: list[dict], federated: dict[str, list[dict]], managed_federated: dict[str, set[str]],
         names: dict[str, str], now: _dt.datetime, within: int) -> list[Row]:
    """`found`: the project's applications as Graph returned them; `federated`: object id -> its federated
    credentials; `managed_federated`: uniqueName -> the names its file gives (lower case); `names`: uniqueName ->
    the application's name in the configuration (the applications reported)."""
    made = []
    for app in sorted(found, key=lambda app: names.get(app.get("uniqueName"), "")):
        name = names.get(app.get("uniqueName"))
        if name is None:
            continue
        made += [_row(name, "secret", c.get("displayName"), c.get("keyId"), c.get("hint"), c.get("endDateTime"),
                      str(c.get("displayName") or "").startswith(MARKER), now, within)
                 for c in app.get("passwordCredentials") or []]
        made += [_certificate(name, app["uniqueName"], c, now, within) for c in app.get("keyCredentials") or []]
        ours = managed_federated.get(app["uniqueName"], set())
        made += [_row(name, "federated", c.get("name"), c.get("id"), c.get("subject"), None,
                      str(c.get("name")).casefold() in ours, now, within) for c in federated.get(app["id"], [])]
    return made


def _certificate(name: str, key: str, credential: dict, now, within: int) -> Row:
    sha1 = certificates.thumbprint_of(credential)
    ours = sha1 is not None and str(credential.get("keyId")).lower() == certificates.key_id(key, sha1)
    return _row(name, "certificate", credential.get("displayName"), credential.get("keyId"), sha1,
                credential.get("endDateTime"), ours, now, within)


def _row(name, kind, display_name, key_id, detail, end, managed: bool, now: _dt.datetime, within: int) -> Row:
    days = None
    if end:
        ends = graph_time(end)
        # whole days left, or (negative) the days since it expired, counting a part day as one: never "0" once gone
        days = (ends - now).days if ends > now else -math.ceil((now - ends).total_seconds() / 86400) or -1
    return Row(name, kind, display_name, str(key_id) if key_id else None, detail,
               certificates.moment(ends) if end else None, days, managed, days is not None and days <= within)


def expiring(report: list[Row]) -> bool:
    return any(row.expiring for row in report)


# -------------------------------------------------------------------------------------------------- renderers
def human(report: list[Row], environment: str, within: int) -> str:
    lines = [f"Credentials in {terminal(environment)}, expiring within {within} days marked !"]
    for row in report:
        mark = "!" if row.expiring else " "
        when = f"expires {row.end} ({_left(row.days_left)})" if row.end else "does not expire"
        lines.append(f"{mark} app.{terminal(row.application)}  {KINDS[row.kind]} \"{terminal(row.display_name or '')}\""
                     f"  {_identified(row, terminal)}  {when}  {'managed' if row.managed else 'unmanaged'}")
    lines += ["", *_findings(report, terminal), _summary(report, within)]
    return "\n".join(lines) + "\n"


def markdown(report: list[Row], environment: str, within: int) -> str:
    lines = [f"### Credentials in {md_code(environment)}", "",
             "| | application | kind | name | identity | expires | days left | managed |",
             "|---|---|---|---|---|---|---|---|"]
    for row in report:
        lines.append(f"| {'⚠️' if row.expiring else ''} | {md_code('app.' + row.application, table=True)} | "
                     f"{KINDS[row.kind]} | {md_text(row.display_name or '')} | {_identified(row, _cell)} | "
                     f"{row.end or 'never'} | {'' if row.days_left is None else row.days_left} | "
                     f"{'yes' if row.managed else 'no'} |")
    lines += ["", *[f"- {line}" for line in _findings(report, md_text)], "", _summary(report, within)]
    return "\n".join(lines) + "\n"


def as_json(report: list[Row], environment: str, within: int) -> str:
    return json_dumps({"format_version": FORMAT_VERSION, "environment": environment, "within": within,
                       "expiring": expiring(report), "credentials": [_json(row) for row in report],
                       "findings": [_json(row) for row in report if row.finding]}, indent=2) + "\n"


def _json(row: Row) -> dict:
    """A row as the project's other JSON documents name things (snake_case, as the saved plan's own keys)."""
    return {"application": row.application, "kind": row.kind, "display_name": row.display_name,
            "key_id": row.key_id, {"secret": "hint", "certificate": "thumbprint", "federated": "subject"}[row.kind]:
            row.detail, "expires": row.end, "days_left": row.days_left, "managed": row.managed,
            "expiring": row.expiring}


def _identified(row: Row, escape) -> str:
    if row.kind == "federated":
        return f"subject {escape(row.detail or '')}"
    label = "hint" if row.kind == "secret" else "thumbprint"
    return f"key id {escape(row.key_id or '')}, {label} {escape(row.detail or '')}"


def _cell(value: str) -> str:
    return md_code(value, table=True) if value else ""


def _left(days: int) -> str:
    return f"{days} days left" if days >= 0 else f"expired {-days} days ago"


def _findings(report: list[Row], escape) -> list[str]:
    return [f"finding: the {KINDS[row.kind]} \"{escape(row.display_name or '')}\" of app.{escape(row.application)} "
            f"{'expired' if row.days_left < 0 else 'expires'} on {row.end} and is not managed by idamconf: renew "
            "or remove it (a certificate or federated credential in the application's file is reviewed and "
            "applied like the rest)" for row in report if row.finding]


def _summary(report: list[Row], within: int) -> str:
    count = sum(1 for row in report if row.expiring)
    if not count:
        return f"Nothing expires within {within} days ({len(report)} credential(s))."
    return f"{count} credential(s) expired or expiring within {within} days, of {len(report)}."
