"""Upload an application's logo, and mark the application with what was uploaded (plan/logo.py says why).

Three requests per logo that changes, none otherwise: `PUT /applications/{id}/logo` with the image (inside a
`$batch`, as base64 text with its Content-Type), a read of the application's `info.logoUrl` and `tags` once the new
URL shows (Graph sets a new URL on every upload; a replica that still shows the old one is read again, for up to the
client's settle time), and a PATCH of `tags` with the new marker. The image is read again from the configuration
directory, confined to it, and must be the one planned (its digest): a file changed since the plan is refused, and
the next plan shows the change. An apply stopped between the upload and the marker leaves a logo the marker does not
vouch for: the next plan uploads it again, which is harmless.

Any other write of the application's `tags` keeps the marker it has (`with_marker`).
"""

from __future__ import annotations

from pathlib import Path

from .apply_access import StepFailed
from .config.logo import LogoUnreadable, digest, read_logo
from .graph.client import query
from .graph.limits import logo_type
from .plan.logo import MARKER, marker
from .plan.model import Action


def with_marker(chain, body: dict) -> dict:
    """`body` (an update of the application): when it writes `tags`, with the logo's marker the application has."""
    kept = next((c.ids["logoMarker"] for c in chain.of("logo") if c.ids.get("logoMarker")), None)
    if "tags" not in body or kept is None:
        return body
    return {**body, "tags": sorted({*body["tags"], kept})}


async def upload(chain, root: Path | None) -> None:
    for change in chain.of("logo"):
        if change.action is Action.NOOP:
            continue
        image = _planned_image(root, change.after)
        path = f"applications/{chain.ids['id']}"
        await chain.send("PUT", f"{path}/logo", image, {"Content-Type": logo_type(image)})
        found = await _after_upload(chain, path, change.ids.get("logoUrl"))  # the URL the plan read
        tags = [tag for tag in found.get("tags") or [] if not tag.startswith(MARKER)]
        url = found["info"]["logoUrl"]
        await chain.send("PATCH", path, {"tags": sorted({*tags, marker(change.after["sha256"], url,
                                                                        change.after["image"])})})
        chain.finish([change], "uploaded")


def _planned_image(root: Path | None, planned: dict) -> bytes:
    if root is None:
        raise StepFailed("no configuration directory to read the logo from")
    try:
        image = read_logo(root, planned["image"])
    except LogoUnreadable as problem:
        raise StepFailed(f"{problem.summary}: {problem.fix}") from None
    if digest(image) != planned["sha256"]:
        raise StepFailed(f"{planned['image']} changed since the plan was made: run plan again")
    return image


async def _after_upload(chain, path: str, previous: str | None) -> dict:
    """The application's `info` and `tags` once its logo URL is no longer the one it had before the upload."""
    attempt, waited, policy = 0, 0.0, chain.client.policy
    while True:
        found = (await chain.send("GET", query(path, select="info,tags"))).body
        url = (found.get("info") or {}).get("logoUrl")
        if url and url != previous:
            return found
        if waited >= policy.settle:
            raise StepFailed("the logo was uploaded, but Graph does not show its new URL yet: run apply again")
        attempt += 1
        delay = policy.poll(attempt)
        await chain.client.pause(delay)
        waited += delay
