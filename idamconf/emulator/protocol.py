"""The emulator's request and reply values, and Graph's URL grammar for addressing objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote, urlencode

from ..graph.paths import segments
from .odata import encode_skiptoken, list_scope

PATH_SAFE = "/!$&'()*+,;=:@"  # RFC 3986's pchar and "/", besides letters, digits and "-._~"
_KEYED = re.compile(r"(\w+)\((\w+)='([^']*(?:''[^']*)*)'\)")  # unrolled: linear in the segment's length


@dataclass(frozen=True)
class Key:
    """How a request names one object: by `id`, or by an alternate key such as `uniqueName` or `appId`."""

    name: str
    value: str


@dataclass
class Request:
    method: str
    path: str  # below the version, e.g. "applications(uniqueName='blog')/owners/$ref"
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: object
    base: str  # e.g. "http://127.0.0.1:8000/v1.0"
    caller: str | None = None  # the calling application's service principal, in a tenant enforcing permissions

    @property
    def prefer(self) -> set[str]:
        """The preferences the Prefer header names, in lower case (RFC 7240: comma-separated, each `name[=value]`
        with `;` parameters; names compared in any case). A preference Graph does not know is no preference --
        Graph ignores it -- so `XXcreate-if-missingXX` is not `create-if-missing`."""
        names = (part.split(";")[0].split("=")[0].strip().lower() for part in self.headers.get("prefer", "").split(","))
        return {name for name in names if name}

    def context(self, set_name: str, select: tuple[str, ...] = ()) -> str:
        suffix = f"({','.join(select)})" if select else ""
        return f"{self.base}/$metadata#{set_name}{suffix}"

    @cached_property
    def list_scope(self) -> str:
        """The list this request reads, as its `$skiptoken`s are bound to (odata.list_scope)."""
        return list_scope(self.path, self.query)

    def next_link(self, place) -> str:
        """The link to the page after `place` (odata.encode_skiptoken's) of the list this request reads."""
        query = {name: value for name, value in self.query.items() if name != "$skiptoken"}
        query["$skiptoken"] = encode_skiptoken(place, self.list_scope)
        # the path as sent: percent-encoded where a key's value holds what a URL's path cannot (`%`, `#`, `?`, ...)
        return f"{self.base}/{quote(self.path, safe=PATH_SAFE)}?{urlencode(query, safe='$(),:/')}"


class RawJson(str):
    """A reply body that is already JSON text (a list page spliced from stored documents): sent as is."""


@dataclass(frozen=True)
class Binary:
    """A body that is not JSON, in a request or a reply: an application's logo. Over HTTP it is the bytes with
    their Content-Type; inside `$batch` it is base64 text with that Content-Type (json-batching.md: a body "might
    be a JSON object or a base64 URL-encoded value, for example, when the body is an image")."""

    content: bytes
    content_type: str


def is_json(content_type: str) -> bool:
    """Whether a Content-Type names JSON; none at all is read as JSON, as the emulator always has."""
    media = content_type.split(";", 1)[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


@dataclass
class Reply:
    status: int
    body: dict | RawJson | Binary | None = None
    headers: dict[str, str] = field(default_factory=dict)


def split_path(path: str) -> list[str | Key]:
    """`applications(appId='x')/owners` -> ["applications", Key("appId", "x"), "owners"].

    A plain segment after a collection is an id: `applications/123` -> ["applications", Key("id", "123")].
    """
    parts: list[str | Key] = []
    for segment in segments(path):
        keyed = _KEYED.fullmatch(segment)
        if keyed:
            parts += [keyed.group(1), Key(keyed.group(2), keyed.group(3).replace("''", "'"))]
        else:
            parts.append(segment)
    return parts

