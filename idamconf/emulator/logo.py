"""An application's logo: `PUT /applications/{id}/logo` (the image's bytes) and `GET /applications/{id}/logo`.

Graph (application resource): `logo` is a stream, "the main logo for the application. Not nullable."; a logo is
replaced by uploading another and cannot be removed (terraform-provider-azuread's `logo_image`: "once an image has
been uploaded, it is not possible to remove it without replacing it with another image"), so DELETE answers 405
here. An upload answers 204; `info.logoUrl` (read-only) then holds a CDN URL, which changes with every upload
(terraform-provider-azuread: "If the logo image changes, the CDN URL will change") -- a client can tell whether
the logo it uploaded is still the application's by comparing that URL with the one it read after its upload,
without downloading any image. The emulator's URL has Graph's CDN form and is never fetched: its path holds a
digest of the image (the same bytes, the same segment) and its `ts` the upload's time in .NET ticks (so it changes
on every upload, as Graph's does). Do not read the digest against Graph: only "it changed" is Graph's behaviour.

The image: PNG, JPEG or GIF, at most 100,000 bytes, as graph/limits.py says (shared with `validate`); the type is
read from the leading bytes. The SDK uploads with `Content-Type: application/octet-stream`, which is accepted; an
image type that the bytes contradict is refused. Refusals are 400 `Request_BadRequest` with Graph's general form
for an invalid property (wording inferred: Graph documents none). The bytes are kept beside the application, as a
document of kind `logos` holding them in base64; the application's document is not made larger.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib

from ..graph import limits
from .directory import resolve, sync_service_principal
from .errors import GraphError, bad_request
from .protocol import Binary, Key, Reply, Request
from .store import Store

KIND = "logos"
GENERIC_TYPES = {"application/octet-stream", "image/*"}
CDN = "https://secure.aadcdn.microsoftonline-p.com"
_TICKS_AT_EPOCH = 621_355_968_000_000_000  # .NET ticks (100 ns since 0001-01-01) at 1970-01-01


def put_logo(store: Store, request: Request, key: Key) -> Reply:
    application = resolve(store, "applications", key)
    image, content_type = _image(request.body)
    digest = base64.b32encode(hashlib.sha256(image).digest()[:20]).decode("ascii").lower()
    previous = store.get(KIND, application["id"], primary=True) or {}
    ticks = max(_ticks(), previous.get("ticks", 0) + 1)
    store.put(KIND, {"id": application["id"], "contentType": content_type, "ticks": ticks,
                     "data": base64.b64encode(image).decode("ascii")})
    application["info"] = {**application["info"],
                           "logoUrl": f"{CDN}/{store.tenant_id}/appbranding/{digest}/1033/bannerlogo?ts={ticks}"}
    store.put("applications", application)
    sync_service_principal(store, application)
    return Reply(204)


def get_logo(store: Store, request: Request, key: Key) -> Reply:
    application = resolve(store, "applications", key)
    logo = store.get(KIND, application["id"])
    if logo is None:  # (inferred) Graph's answer for an application that never had a logo
        raise GraphError(404, "Request_ResourceNotFound", f"The application '{application['id']}' has no logo.")
    return Reply(200, Binary(base64.b64decode(logo["data"]), logo["contentType"]))


def _image(body) -> tuple[bytes, str]:
    """The uploaded image and its type, or Graph's 400."""
    if not isinstance(body, Binary) or not body.content:
        raise _refused("send the image's bytes with Content-Type image/png, image/jpeg or image/gif")
    problem = limits.logo_problem(body.content)
    detected = limits.logo_type(body.content)
    if problem is None and body.content_type not in GENERIC_TYPES and body.content_type != detected:
        problem = f"is {detected}, not the {body.content_type} its Content-Type says"
    if problem:
        raise _refused(f"the image {problem}")
    return body.content, detected


def _refused(detail: str) -> GraphError:
    return bad_request(f"Invalid value specified for property 'logo' of resource 'Application': {detail}.")


def _ticks() -> int:
    moment = _dt.datetime.now(_dt.timezone.utc)
    return _TICKS_AT_EPOCH + int(moment.timestamp() * 1_000_000) * 10


HANDLERS = {
    ("PUT", "applications", ("{key}", "logo")): put_logo,
    ("GET", "applications", ("{key}", "logo")): get_logo,
}
