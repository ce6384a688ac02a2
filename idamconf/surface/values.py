"""The table's settings as the plan compares them: from the application file (`desired`), from what Graph returns
(`live`), in Graph's nested shape, so that a resource's attributes are the body apply sends."""

from __future__ import annotations

import marshal
from functools import cache

from .attributes import HIDE_APP, INTEGRATED_APP, OBJECTS, SP_PREFIX, rows


def at(tree, path):
    """The value at `path` (keys) in nested dicts; None where the path leaves them."""
    for part in path:
        if not isinstance(tree, dict):
            return None
        tree = tree.get(part)
    return tree


def put(tree: dict, path, value) -> None:
    """Set the value at `path` (keys), making the dicts on the way."""
    for part in path[:-1]:
        tree = tree.setdefault(part, {})
    tree[path[-1]] = value


def merged(base: dict, extra: dict) -> dict:
    """`base` with `extra`'s values, mappings merged key by key (as a file's settings and the table's share `web`)."""
    out = dict(base)
    for name, value in extra.items():
        out[name] = merged(out[name], value) if isinstance(value, dict) and isinstance(out.get(name), dict) else value
    return out


@cache
def _top_keys() -> frozenset[str]:
    return frozenset({attribute.written[0] for attribute in rows("application") + rows("service_principal")}
                     | {"servicePrincipal"})


def settings_of(raw: dict) -> dict:
    """What an application document writes of the table's settings (its top-level keys, as written): what the model
    keeps, so that files that write none of them (most) share one empty mapping."""
    found = {name: raw[name] for name in _top_keys() if name in raw}
    return found or _NONE


_NONE: dict = {}


def desired(settings: dict, on: str) -> dict:
    """Every setting of the table for `on` (application or service_principal), as the file has it or by default."""
    if not settings:  # most files: every default, made once and copied (a plan changes its copy in place)
        return marshal.loads(_defaults_made(on))
    return _made(settings, on)


def _made(settings: dict, on: str) -> dict:
    tree: dict = {}
    for attribute, graph, written in _paths(on):
        put(tree, graph, attribute.normalised(at(settings, written)))
    return tree


@cache
def _defaults_made(on: str) -> bytes:
    """`desired` of a file writing none of the settings, as marshal data: loading it takes a fifth of the time of
    making it again (10,000 applications: 0.3 s less of a plan)."""
    return marshal.dumps(_made({}, on))


def live(found: dict, on: str) -> dict:
    """Every setting of the table for `on`, as Graph holds it (`found`: the object Graph returned)."""
    tree: dict = {}
    for attribute, graph, _ in _paths(on):
        put(tree, graph, attribute.normalised(at(found, graph)))
    return tree


@cache
def _paths(on: str) -> tuple:
    """Each setting of `on` with its Graph path and its path in the file, split once (a plan of 10,000 applications
    asks for each twice per application)."""
    return tuple((attribute, tuple(attribute.graph.split(".")), attribute.written) for attribute in rows(on))


@cache
def select(on: str) -> tuple[str, ...]:
    """The top-level Graph properties plan reads for the table's settings of `on`."""
    return tuple(sorted({attribute.graph.split(".")[0] for attribute in rows(on)}))


@cache
def shown(on: str) -> tuple[str, ...]:
    """The settings the plan shows on a create (Graph's dotted names), when they are not the default."""
    return tuple(attribute.graph for attribute in rows(on) if attribute.shown)


@cache
def defaults(on: str) -> dict:
    """Each setting's default (Graph's dotted name -> the default in normal form): a create shows only the others."""
    return {attribute.graph: attribute.normalised(None) for attribute in rows(on)}


def service_principal_tags(settings: dict, application_tags: list[str]) -> list[str]:
    """The service principal's tags: the application's (the project's tag included), the portal's settings as tags
    (hidden from users: HideApp), and its own (`servicePrincipal.tags`, by default the enterprise-application tag)."""
    principal = settings.get(SP_PREFIX[:-1]) or {}
    extra = principal.get("tags", [INTEGRATED_APP])
    hidden = [HIDE_APP] if principal.get("hideFromUsers") else []
    return sorted({*application_tags, *extra, *hidden})


def object_description(path: str) -> str:
    return OBJECTS.get(path, "")
