"""`idamconf show APP`: an application's ids in an environment's tenant -- client id (appId), object id and service
principal id -- which the team that asked for it needs, long after the apply that created it."""

from __future__ import annotations

from pathlib import Path

from ..command_line import options
from ..config.load import load_configuration
from ..diagnostics import Diagnostic, DiagnosticError
from ..escape import json_dumps, terminal
from .apply import IDENTITIES
from .session import run_async


def run(config_dir: Path, name: str, env: str | None, output: str) -> int:
    configuration = load_configuration(config_dir)
    app = next((app for app in configuration.applications if app.name == name), None)
    if app is None:
        known = ", ".join(sorted(app.name for app in configuration.applications)) or "none"
        raise DiagnosticError([Diagnostic(f"no application named '{name}' in the configuration",
                                          f"use the name: of an application file (known: {known})")])
    from ..workflow import target_for

    target = target_for(configuration, env, write=False)
    app = app.for_environment(target.environment)  # its appId may differ per environment (overrides)
    found = run_async(_read(target, app.key, app.app_id))
    if found is not None and found.get("adopting"):
        print(_rendered(f"app.{name}", found, target, output), end="")
        return 0
    if found is None or configuration.tag not in (found.get("tags") or []):
        raise DiagnosticError([Diagnostic(
            f"application '{name}' is not in environment '{target.environment}'" + (
                "" if found is None else f" as project {configuration.project}'s (it is not tagged {configuration.tag})"),
            f"apply the configuration to {target.environment} first: idamconf apply"
            f"{options(config_dir, target.environment)}",
            str(app.location.file) if app.location else "")])
    print(_rendered(f"app.{name}", found, target, output), end="")
    return 0


async def _read(target, key: str, app_id: str | None) -> dict | None:
    """The application the project knows by `key` (its uniqueName); else, if its file names an `appId` to adopt,
    that application, marked `adopting` (plan shows it as ↻ adopt until an apply makes it the project's)."""
    from ..graph.client import query
    from ..graph.connect import connect

    quoted = key.replace("'", "''")
    async with connect(target) as client:
        app = await client.call("GET", query(f"applications(uniqueName='{quoted}')",
                                             select="id,appId,displayName,tags"), settle=False)
        adopting = app.status == 404 and bool(app_id)
        if adopting:
            app = await client.call("GET", query(f"applications(appId='{app_id}')",
                                                 select="id,appId,displayName,tags"), settle=False)
        if app.status == 404:
            return None
        if not app.ok:
            raise DiagnosticError([Diagnostic(f"Graph answered {app.error}", "run again; if it persists, check "
                                              "the environment's permissions (Application.Read.All)")])
        principal = await client.call("GET", query(f"servicePrincipals(appId='{app.body['appId']}')", select="id"),
                                      settle=False)
        return {**app.body, "servicePrincipalId": principal.body["id"] if principal.ok else None,
                **({"adopting": True} if adopting else {})}


def _rendered(address: str, found: dict, target, output: str) -> str:
    adopting = bool(found.get("adopting"))
    if output == "json":
        return json_dumps({"address": address, "environment": target.environment, "displayName": found["displayName"],
                           "adopted": not adopting, **{name: found.get(key) for _, name, key in IDENTITIES}},
                          indent=2) + "\n"
    width = max(len(label) for label, _, _ in IDENTITIES)
    lines = [f"{'↻ ' if adopting else ''}{terminal(address)}  \"{terminal(found.get('displayName') or '')}\" in "
             f"{terminal(target.environment)} ({terminal(target.description)})"]
    if adopting:
        lines.append("  not adopted yet: its file names this appId; the next apply makes it the project's (plan shows "
                     "↻ adopt)")
    lines += [f"  {label:<{width}}  {terminal(found.get(key) or '(none)')}" for label, _, key in IDENTITIES]
    return "\n".join(lines) + "\n"
