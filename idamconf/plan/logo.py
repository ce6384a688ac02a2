"""An application's logo as a resource of the plan (`app.wordpress.logo`), compared without downloading any logo.

Graph gives no way to compare a logo but to download it: one request per application at every plan. Instead, after
each upload, apply writes a marker tag on the application (`idamconf:logo:<image digest>:<URL digest>:<path>`): the
first 32 hexadecimal digits of the uploaded image's SHA-256, 16 of the SHA-256 of the `info.logoUrl` Graph shows
after that upload, and the image's path in the configuration. `info.logoUrl` is read-only and changes with every
upload (terraform-provider-azuread relies on it), so the marker vouches for the logo as long as the URL is the one it
names; a logo replaced in the portal, or by anything but idamconf, changes the URL and shows as such. Plan already
reads `tags` and `info` of every application, so comparing logos costs no request at all; an upload costs three
(apply_logo.py). The marker is the project's own: tags starting with `idamconf:` are reserved (the schema refuses
them in a file), and `tags` in the plan are shown and written without it.

The desired side is the file's digest, read (confined to the configuration directory) when the plan is made; a file
that changed between plan and apply is refused by apply, which checks the digest. Graph cannot remove a logo, only
replace it: an application whose file names no logo leaves its logo alone (no resource on either side).
"""

from __future__ import annotations

import hashlib

from ..config.logo import LogoUnreadable, digest, read_logo
from ..config.model import Application, Location
from ..diagnostics import Diagnostic
from .model import NO_IDS

MARKER = "idamconf:logo:"
UNKNOWN = "unknown: not uploaded by idamconf"
REPLACED = "unknown: replaced since idamconf uploaded it"


def desired(root: str, app: Application, address: str) -> tuple[list, list[Diagnostic]]:
    """(kind, address, attributes, identity, ids) of the logo the file names, if any; or why it cannot be read."""
    if app.logo is None:
        return [], []
    try:
        image = read_logo(root, app.logo)
    except LogoUnreadable as problem:  # validate read it: it changed since
        where = (app.location or Location("")).at("logo")
        return [], [Diagnostic(problem.summary, problem.fix, where.file, where.line, where.column, "logo")]
    return [("logo", f"{address}.logo", {"image": app.logo, "sha256": digest(image)}, "", NO_IDS)], []


def live(app: dict, address: str, ids: dict) -> list:
    """The logo Graph holds, as far as idamconf can vouch for it; none if the application has no logo."""
    url = (app.get("info") or {}).get("logoUrl")
    if not url:
        return []
    tag = next((tag for tag in app.get("tags") or [] if tag.startswith(MARKER)), None)
    image, sha, fingerprint = _parsed(tag)
    attributes = {"image": image, "sha256": sha if fingerprint == url_digest(url) else REPLACED if tag else UNKNOWN}
    more = {"logoUrl": url, "logoMarker": tag} if tag else {"logoUrl": url}
    return [("logo", f"{address}.logo", attributes, "", {**ids, **more})]


def marker(image_digest: str, url: str, path: str) -> str:
    return f"{MARKER}{image_digest}:{url_digest(url)}:{path}"


def url_digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _parsed(tag: str | None) -> tuple:
    """(path, image digest, URL digest) of a marker; Nones for none, or one that does not parse."""
    parts = tag[len(MARKER):].split(":", 2) if tag else []
    return (parts[2], parts[0], parts[1]) if len(parts) == 3 else (None, None, None)


def without_marker(tags: list[str]) -> list[str]:
    """An application's tags as the plan shows and compares them."""
    return sorted(tag for tag in tags if not tag.startswith(MARKER))


def unmanaged_dropped(desired: dict, live: dict) -> dict:
    """`live` without the logos of applications whose file names none: idamconf leaves those alone."""
    dropped = [key for key, resource in live.items() if resource.kind == "logo" and key not in desired]
    if not dropped:
        return live
    return {key: resource for key, resource in live.items() if key not in set(dropped)}
