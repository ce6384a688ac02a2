"""Per-environment values in one application file: `overrides.<environment>` holds what differs there.

    environments: [devl, nle, live]
    displayName: WordPress Blog
    web: {redirectUris: [https://blog.contoso.com/wp-login.php], homePageUrl: https://blog.contoso.com/}
    overrides:
      devl:
        displayName: WordPress Blog (DEVL)
        owners: [alice.admin@devl.contoso.com]
        web: {redirectUris: [https://blog-devl.contoso.com/wp-login.php]}

The rule: in an environment named under `overrides`, the application is the file's document with that environment's
values laid over it -- a mapping is merged key by key (so `web.homePageUrl` above stays), anything else (a value, a
list: owners, redirect URIs, roles) is replaced whole. `name`, `renamedFrom`, `environments` and `overrides` itself
cannot be overridden: the application is the same object in every tenant. An environment's values make a model of
their own (`Application.variants`), checked like the base one, whose messages point at the lines that gave each
value: the override's where it says so, the base's elsewhere. Plan and apply see, in each environment, that
environment's model (`Application.for_environment`), so a plan shows the values of the environment it plans.
"""

from __future__ import annotations

from .yamlfile import Document

FIXED = ("name", "renamedFrom", "environments", "overrides")  # the same in every environment


def laid_over(base, override):
    """`override` laid over `base`: mappings merged key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{key: laid_over(base.get(key), value) for key, value in override.items()}}
    return override


def overridden(document: Document, environment: str) -> Document:
    """The document of the application in `environment`: its values, with positions that point at the override's
    lines for what the override says."""
    raw = document.value
    override = raw["overrides"][environment]
    value = {**laid_over({k: v for k, v in raw.items() if k != "overrides"}, override),
             "environments": [environment]}
    positions = _Overridden(document.positions, environment, override) if document.positions is not None else None
    return Document(document.file, value, positions)


class _Overridden:
    """A file's positions, seen from one environment's values: a path the override writes is found under
    `overrides.<environment>`."""

    def __init__(self, positions, environment: str, override: dict):
        self.positions, self.environment, self.override = positions, environment, override
        self.file = positions.file

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        if _written(self.override, path):
            return self.positions.where(("overrides", self.environment, *path), key)
        return self.positions.where(path, key)


def written_by_override(document: Document, path: tuple) -> bool:
    """Whether `overridden`'s document takes the value at `path` from its environment's override."""
    positions = document.positions
    return isinstance(positions, _Overridden) and _written(positions.override, path)


def written_at(document: Document, path: tuple) -> tuple:
    """Where in its file the value at `path` of `overridden`'s document is written: under its environment's override
    where that writes it, else at `path` itself (a place told without looking up a line)."""
    if written_by_override(document, path):
        return ("overrides", document.positions.environment, *path)
    return path


def _written(override, path: tuple) -> bool:
    """Whether the override writes the value at `path` (itself, or a whole list or value holding it)."""
    node = override
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, (list, str, int, float, bool)) or node is None:
            return True  # inside a value the override replaces whole
        else:
            return False
    return True
