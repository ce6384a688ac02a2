"""Reading one long directory list as several concurrent streams, so that its critical path is not one page after
another (docs/performance.md, "Reading a long list").

A list's pages follow each other (`@odata.nextLink` is opaque), and Graph serves a list with a relationship
expanded 100 objects a page: 10,000 applications with their owners are 100 pages, 25 s at 250 ms a round trip. The
same list filtered into ranges of `displayName` is several lists whose pages are read side by side. Graph documents
`ge` and `le` on `displayName` for applications and service principals (api-reference/v1.0/resources/application.md
and servicePrincipal.md) as ordinary filters (only `ne`, `not` and `endsWith` need the advanced query parameters,
which refuse `$expand`: concepts/aad-advanced-queries.md), combinable with the tag filter and with `$expand`.

The ranges cover every name whatever order Graph compares names in: `le b1`, `ge b1 and le b2`, ..., `ge bk`
-- any name is either at most or at least each bound, so it falls in some range -- and an object at a bound
exactly comes in two streams, once kept (by id). A directory object always has a display name (Graph requires
one). The bounds are the configuration's own display names at even intervals: the tenant's list is the
configuration's applications plus a few, so the streams are about even; an uneven tenant is still read whole,
only less side by side. A small list is one stream, as before.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

EXPANDED_PAGE = 100  # Graph's page of a directory list with a relationship expanded, whatever `$top` asks
STREAM_PAGES = 6  # pages a stream is expected to read: fewer streams would each take longer, more gain little
MOST_STREAMS = 16  # of one list


@dataclass(frozen=True)
class Streams:
    """The configuration's display names, sorted as Graph compares them (case aside), from which each list's
    ranges are made for its expected size."""

    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, display_names) -> "Streams":
        unique = {name.casefold(): name for name in display_names if name}
        return cls(tuple(unique[key] for key in sorted(unique)))

    def ranges(self, page: int) -> list[str | None]:
        """`$filter` clauses on displayName splitting a list of about len(names) objects read `page` a page into
        streams of about STREAM_PAGES pages; [None] for one stream."""
        count = min(MOST_STREAMS, math.ceil(len(self.names) / (page * STREAM_PAGES)))
        if count <= 1:
            return [None]
        bounds = [literal(self.names[len(self.names) * i // count]) for i in range(1, count)]
        clauses = [f"displayName le {bounds[0]}"]
        clauses += [f"displayName ge {low} and displayName le {high}" for low, high in zip(bounds, bounds[1:])]
        return clauses + [f"displayName ge {bounds[-1]}"]


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def joined(base: str | None, clause: str | None) -> str | None:
    """`base and (clause)` as one `$filter`."""
    if clause is None:
        return base
    return clause if base is None else f"{base} and {clause}"


async def read_streams(client, paths: list[str], keep=None) -> list[dict]:
    """Every object of the lists at `paths` (ranges of one list), read side by side; an object two ranges both hold
    (at a bound) once."""
    if len(paths) == 1:
        return await client.get_all(paths[0], keep)
    seen, objects = set(), []
    for part in await asyncio.gather(*(client.get_all(path, keep) for path in paths)):
        for item in part:
            if item["id"] not in seen:
                seen.add(item["id"])
                objects.append(item)
    return objects
