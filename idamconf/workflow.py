"""The core loop, I/O at the edges: configuration + live tenant -> plan; plan -> apply.

Commands call these; they hold no presentation. Everything a plan needs from Graph is read in `read_live`.
"""

from __future__ import annotations

from pathlib import Path

from .config.model import Configuration
from .diagnostics import Diagnostic, DiagnosticError
from .graph.connect import Target
from .graph.read import read_live
from .plan.diff import make_plan
from .plan.model import Plan
from .plan.resources import desired_resources, live_resources

STATE_DIR = ".idamconf"
EMULATED_TENANT = "embedded-emulator"


def target_for(configuration: Configuration, name: str | None) -> Target:
    name = name or configuration.default_environment
    environment = configuration.environments.get(name)
    if environment is None:
        known = ", ".join(configuration.environments)
        raise DiagnosticError([Diagnostic(f"unknown environment '{name}'", f"use one of: {known}",
                                          str(Path(configuration.root) / "idamconf.yaml"))])
    root = Path(configuration.root)
    if environment.emulator:
        seed = root / environment.seed if environment.seed else None
        return Target(name, "http://emulator.localhost/v1.0", emulator_state=state_file(configuration, name),
                      emulator_seed=seed)
    return Target(name, environment.graph_url.rstrip("/"), environment.credential, environment.tenant_id,
                  environment.client_id, environment.client_secret_env, environment.certificate_path)


def state_file(configuration: Configuration, environment: str) -> Path:
    return Path(configuration.root) / STATE_DIR / f"{environment}.db"


async def plan(client, configuration: Configuration, target: Target) -> Plan:
    wanted = [app for app in configuration.applications if app.in_environment(target.environment)]
    owners = [upn for app in wanted for upn in app.owners]
    live = await read_live(client, configuration.tag, [app.name for app in wanted], owners)
    desired, problems = desired_resources(configuration, target.environment, live.users)
    problems += _unmanaged_conflicts(configuration, live.unmanaged)
    if problems:
        raise DiagnosticError(problems)
    current = live_resources(live.applications, live.service_principals, live.owners)
    tenant = target.tenant_id or (EMULATED_TENANT if target.embedded else target.graph_url)
    return make_plan(desired, current, configuration.project, target.environment, tenant)


def _unmanaged_conflicts(configuration: Configuration, unmanaged: dict) -> list[Diagnostic]:
    problems = []
    for app in configuration.applications:
        if app.name in unmanaged:
            other = unmanaged[app.name]
            location = app.location
            problems.append(Diagnostic(
                f"an application named '{app.name}' already exists in the tenant (\"{other.get('displayName')}\", "
                f"id {other.get('id')}) but is not managed by project '{configuration.project}'",
                f"choose another name, or adopt it deliberately by adding the tag {configuration.tag} to it in the "
                "tenant", location.file, location.line, location.column))
    return problems
