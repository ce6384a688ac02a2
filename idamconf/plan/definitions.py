"""Graph's 700 app roles and scopes of an application (graph/limits.py [definitions]), against the tenant's count.

Graph keeps a count already above 700 -- one it let through earlier -- through writes that keep or reduce it, and
refuses one that adds to it ("App role limits"); the emulator does the same (emulator/app_rules._check_definitions).
validate cannot know the tenant: it refuses a file of more than 700 unless the file names an `appId`, an application
that exists (config/exposed._definitions: a warning then). The plan knows the tenant's count, and refuses, before
anything is written and by the emulator's own rule (limits.definitions_problem), a file that adds to a count above
700: a file that describes such an application as it is (what export writes), or takes roles away, is planned.
"""

from __future__ import annotations

from ..config.exposed import definitions, definitions_path, definitions_said
from ..config.model import Configuration
from ..config.yamlfile import render_path
from ..diagnostics import Diagnostic
from ..graph.limits import PERMISSION_DEFINITIONS, definitions_problem

DEFINED = ("role", "scope")  # the kinds Graph counts against the 700


def grown(configuration: Configuration, environment: str, current: dict) -> list[Diagnostic]:
    """Each application of `environment` over 700 whose file adds to the count the tenant holds (`current`: the
    live resources, by key; an application not there holds none)."""
    over = {app.key: app for app in configuration.applications
            if app.in_environment(environment) and definitions(app) > PERMISSION_DEFINITIONS}
    if not over:
        return []
    held: dict[str, set] = {key: set() for key in over}
    for resource in current.values():
        if resource.kind in DEFINED and resource.application in held:
            held[resource.application].add(str(resource.attributes.get("id")).lower())
    return [_refused(app, len(held[key])) for key, app in over.items()
            if definitions_problem(len(held[key]), definitions(app))]


def _refused(app, holds: int) -> Diagnostic:
    location = app.location.at(*definitions_path(app))
    return Diagnostic(
        f"{definitions_said(app)}, disabled ones included, and refuses a write that adds to a count above it; the "
        f"tenant's application holds {holds}", f"keep at most {max(holds, PERMISSION_DEFINITIONS)} roles and scopes "
        "together: remove those no longer used (disable each first), or use fewer, broader roles",
        location.file, location.line, location.column, render_path(location.path))
