"""The plan of an application's client secrets: which to add now, which to keep, which to remove -- pure, from the
file's `secrets`, the passwords Graph lists, which key ids the vault holds a copy of, and the time.

A password is idamconf's when its displayName is `idamconf:<the secret's displayName>` (credentials/client_secrets:
Graph lets no client choose a password's key id, so the name is the mark); every other password is left alone and
listed by `credentials report`. For each secret of the file:

- the **current** one is the newest idamconf password with a copy in the vault; none, or one within
  rotateBeforeDays of its expiry, means a new one is **added now** (shown with the date it expires and the
  password it replaces, "removed on or after DATE");
- a superseded password stays valid for overlapDays after its successor was added (its removal date is shown in
  the plan that adds the successor), and is removed by the first plan made on or after that date;
- a password with **no copy in the vault secret the file names** is one the file moved (a new vaultUrl or
  secretName: its copy is at the old place, where readers may still take it) or one an apply killed between
  addPassword and the vault write left (its value exists nowhere) -- Graph's data cannot tell the two apart, so
  both are kept like a superseded password: until overlapDays after the newest password with a copy there was
  added (a new one is added now when there is none, or when the password without a copy is the newer: the file
  moved the secret back), then removed. A killed apply's password lingers for the overlap, harmless: nobody
  holds its value. The plan says why it is kept and until when ("no copy in VAULT: removed on or after DATE");
- an expired one is removed; one whose displayName the file no longer names is removed too, and that, like any
  deletion, needs --allow-delete. The others are the rotation the file asked for and need no flag.

Each live password carries its `status` in the plan (in use, superseded: removed on or after DATE, …): the same
on both sides when nothing changes, so a plan with nothing to rotate is empty. Dates, not times, are shown for what
depends on the moment of planning, so a plan saved now and applied minutes later is the same plan.
"""

from __future__ import annotations

import datetime as _dt

from ..clock import graph_time
from .certificates import moment
from .client_secrets import KIND, MARKER, ClientSecret

IN_USE = "in use"
SWITCH = "readers of its old place have until then to switch"
UNLISTED = "not in the file"


def live(app: dict, address: str, ids: dict) -> list[tuple]:
    """(kind, address, attributes, identity, ids) of the passwords of an application as Graph listed it that
    idamconf added; their status is the plan's to decide (`statuses`)."""
    made = []
    for credential in app.get("passwordCredentials") or []:
        shown = credential.get("displayName") or ""
        if not shown.startswith(MARKER):
            continue  # not idamconf's: kept as it is
        key, name = str(credential.get("keyId")).lower(), shown[len(MARKER):]
        made.append((KIND, f"{address}.{KIND}[{name}#{key}]",
                     {"displayName": name, "keyId": key, "hint": credential.get("hint"),
                      "startDateTime": _moment(credential.get("startDateTime")),
                      "endDateTime": _moment(credential.get("endDateTime"))}, key, {**ids, "keyId": key}))
    return made


def planned(secrets: tuple[ClientSecret, ...], address: str, passwords: list[dict], held: dict,
            now: _dt.datetime) -> tuple[list[tuple], dict[str, str]]:
    """The desired passwords (as `live` gives them, status added; a new one's identity `next:<name>`) and each live
    password's status by key id. `passwords`: the live attributes; `held`: a secret's vault (ClientSecret.vault) ->
    the key ids with a copy there, or None when unknown (not read: every password counts as copied)."""
    by_name: dict[str, list[dict]] = {}
    for password in passwords:
        by_name.setdefault(password["displayName"].casefold(), []).append(password)
    desired, statuses = [], {}
    for secret in secrets:
        made, marked = _one(secret, address, by_name.pop(secret.display_name.casefold(), []),
                            held.get(secret.vault), now)
        desired += made
        statuses |= marked
    statuses |= {password["keyId"]: UNLISTED for rest in by_name.values() for password in rest}
    return desired, statuses


def _one(secret: ClientSecret, address: str, mine: list[dict], held, now: _dt.datetime):
    statuses = {p["keyId"]: f"expired on {_day(graph_time(p['endDateTime']))}" for p in mine
                if graph_time(p["endDateTime"]) <= now}
    valid = [p for p in mine if p["keyId"] not in statuses]
    # No copy in the file's vault secret: moved away from its old place (which readers may still take), or left by
    # an apply killed before the vault write (nobody holds it). Either way kept for the overlap, like a superseded one.
    elsewhere = {p["keyId"] for p in valid if held is not None and p["keyId"] not in held}
    copied = [p for p in valid if p["keyId"] not in elsewhere]
    newest = max(copied, key=lambda p: graph_time(p["startDateTime"]), default=None)
    rotate = newest is None or now >= graph_time(newest["endDateTime"]) - _dt.timedelta(days=secret.rotate_before_days)
    # A password newer than every one copied here has no copy here: the file moved the secret back to this place,
    # and that password is read at the other one -- a new one is added here, and that one kept for the overlap.
    # Only one already valid: one starting later (Graph takes a future startDateTime) is newer than any a plan adds,
    # and would have every plan add one more, each rotation putting off every removal.
    rotate = rotate or any(now >= graph_time(p["startDateTime"]) > graph_time(newest["startDateTime"])
                           for p in valid if p["keyId"] in elsewhere)
    due = (now if rotate else graph_time(newest["startDateTime"])) + _dt.timedelta(days=secret.overlap_days)
    gone = set()
    for password in valid:
        moved = f"no copy in {secret.vault}: " if password["keyId"] in elsewhere else "superseded: "
        if password is newest and not rotate:
            statuses[password["keyId"]] = IN_USE
        elif now >= due:
            statuses[password["keyId"]] = f"{moved}its overlap ended on {_day(due)}"
            gone.add(password["keyId"])
        else:
            statuses[password["keyId"]] = f"{moved}removed on or after {_day(due)}" + \
                (f"; {SWITCH}" if password["keyId"] in elsewhere else "")
    kept = [(KIND, f"{address}.{KIND}[{p['displayName']}#{p['keyId']}]", {**p, "status": statuses[p["keyId"]]},
             p["keyId"], {}) for p in valid if p["keyId"] not in gone]
    if rotate:
        kept.append(_new(secret, address, [p for p in valid if p["keyId"] not in gone], statuses, now))
    return kept, statuses


def _new(secret: ClientSecret, address: str, replaced: list[dict], statuses: dict, now: _dt.datetime) -> tuple:
    """The new password, and each it replaces with when (and, with no copy where the file says, why) it goes."""
    attributes = {"displayName": secret.display_name, "expires": _day(now + _dt.timedelta(days=secret.lifetime_days)),
                  "vault": secret.vault, "status": "added now",
                  "replaces": [f"{p['keyId']} (hint {p['hint']}), {statuses[p['keyId']].removeprefix('superseded: ')}"
                               for p in replaced]}
    ids = {"vaultUrl": secret.vault_url, "secretName": secret.secret_name, "lifetimeDays": secret.lifetime_days}
    return KIND, f"{address}.{KIND}[{secret.display_name}#next]", attributes, f"next:{secret.display_name.casefold()}", ids


def planned_removal(change) -> bool:
    """A removal the file's rotation asks for (superseded or without a copy where the file says, each after its
    overlap; expired), which takes nothing away that anyone holds legitimately: no --allow-delete needed. A secret
    the file stopped naming does need it."""
    return change.kind == KIND and (change.before or {}).get("status") not in (None, UNLISTED)


def _moment(text) -> str | None:
    return moment(graph_time(text)) if text else None


def _day(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d")
