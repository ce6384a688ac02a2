"""`idamconf export`: write the tenant's applications as application files -- then validate what was written."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import yaml

from ..command_line import options
from ..config.load import APPLICATIONS_DIR, read
from ..diagnostics import Diagnostic, DiagnosticError
from ..escape import terminal
from ..graph.uri_rules import GUID
from . import outputs, report_diagnostics


def run(config_dir: Path, env: str | None, app_ids: list[str], starting: str | None, tag: str | None,
        everything: bool, out: Path | None, force: bool, timeout: float | None = None) -> int:
    from ..export.read import Selection

    chosen = [bool(app_ids), starting is not None, tag is not None, everything]
    if sum(chosen) != 1:
        raise DiagnosticError([Diagnostic("say which applications to export", "give --app-id (repeatable), "
                                          "--display-name-starts-with, --tag or --all")])
    not_ids = [app_id for app_id in app_ids if not GUID.fullmatch(app_id)]  # (it goes into a request's path)
    if not_ids:
        raise DiagnosticError([Diagnostic(f"--app-id {app_id}: not an application (client) id",
                                          "give the application's appId, a GUID such as "
                                          "7a1b2c3d-0000-4000-8000-00000000a001") for app_id in not_ids])
    configuration, problems = read(config_dir)
    if configuration is None:  # idamconf.yaml is needed (the environment); broken application files are reported
        return report_diagnostics(problems)
    selection = Selection(tuple(a.lower() for a in app_ids), starting, tag, everything)
    directory = Path(out) if out else Path(config_dir) / APPLICATIONS_DIR
    outputs.ready(directory, "--out", directory=True)
    planned = f"idamconf plan{options(config_dir, env)}"  # what to run next, as the user named the configuration
    return asyncio.run(_export(configuration, env, selection, directory, force, timeout, planned))


async def _export(configuration, env, selection, directory: Path, force: bool, timeout, planned: str) -> int:
    from ..export.document import document
    from ..export.own_packages import role_values
    from ..export.read import read_applications, read_tenant
    from ..graph.connect import connect
    from ..workflow import target_for

    target = target_for(configuration, env, write=False)  # export only reads: the read-only identity (readClientId)
    async with connect(target, timeout) as client:
        apps, missing, owners = await read_applications(client, selection)
        if missing:
            raise DiagnosticError([Diagnostic(f"no application with appId {app_id} is in the tenant of "
                                              f"{target.environment}", "check the application (client) id")
                                   for app_id in missing])
        tenant = await read_tenant(client, apps, owners, target.tenant_id)
    names = {app.name for app in configuration.applications}
    elsewhere = {app.name for app in configuration.applications  # declared for other environments only: joined
                 if app.environments is not None and target.environment not in app.environments}
    chosen = [(app, _name(app, names, elsewhere)) for app in apps]
    tenant.names = {app["appId"]: name for app, name in chosen}  # an API of this configuration, by its name
    tenant.roles = role_values(apps, tenant)  # what packages of their own grant, by application and value
    written = [document(app, name, target.environment, tenant) for app, name in chosen]
    with outputs.writing(directory, "--out", directory=True):
        return _write(written, directory, target.environment, force, configuration, planned)



def _name(app: dict, taken: set[str], elsewhere: set[str]) -> str:
    """The exported application's name: a new one, or that of a file holding it in other environments only (each
    such file is joined once)."""
    from ..export.write import file_name

    name = file_name(app, taken, joinable=elsewhere.__contains__)
    taken.add(name)
    elsewhere.discard(name)
    return name


def _write(exported: list, directory: Path, environment: str, force: bool, configuration, planned: str) -> int:
    from ..export.write import text, with_environment

    refused, done = [], 0
    directory.mkdir(parents=True, exist_ok=True)
    schema = _schema_reference(Path(configuration.root), directory)
    for item in exported:
        path = directory / f"{item.name}.yaml"
        if path.exists() and not force:
            existing = _existing(path)
            merged = with_environment(existing, item.document, environment) if isinstance(existing, dict) else None
            if merged is None or environment in existing.get("environments", [environment]):  # none: in every one
                said = (f"{path} holds this application in environment {environment} already" if merged is not None
                        else f"{path} exists and is not this application's file in another environment")
                refused.append(Diagnostic(said, "pass --force to overwrite it with the tenant's values, or export "
                                          "into another directory (--out)", str(path)))
                continue
            item.document = merged
        path.write_text(text(item, environment, schema), encoding="utf-8")
        done += 1
        for note in item.notes:
            print(f"note: {terminal(str(path))}: {terminal(note)}", file=sys.stderr)
    if not exported:
        print("No application of the tenant matched the selection: nothing was written.")
        return 0
    print(f"Exported {done} application(s) to {terminal(str(directory))}.")
    return _validated(configuration.root, refused, directory, planned)


def _existing(path: Path):
    """The document of a file export would write over, or None when it holds none -- a directory, not UTF-8, not
    YAML, nested deeper than PyYAML reads (--out names any directory, whose files validate never read): refused
    then as not this application's file, where each was an unexpected failure after the files before it were
    written."""
    if not path.is_file():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError, RecursionError):  # (UnicodeDecodeError is a ValueError)
        return None


def _schema_reference(root: Path, directory: Path) -> str:
    """The `$schema` reference of the files written in `directory`, resolving where they are, as `new app` makes it
    (config/schema_files.py): the one the configuration's files use, else its schemas/, written there if missing."""
    from ..config.load import application_files
    from ..config.schema_files import schema_reference, write_schemas

    reference, schemas = schema_reference(root, directory / "exported.yaml", application_files(root, []))
    if schemas is not None:
        written = write_schemas(schemas)
        print(f"Wrote {', '.join(terminal(str(path)) for path in written)} (for editors).")
    return reference


def _validated(root, refused: list, directory: Path, planned: str) -> int:
    """The configuration read again with the files written (those written elsewhere, `--out`, each on its own)."""
    from ..config.application import read_file

    inside = directory.resolve().is_relative_to((Path(root) / APPLICATIONS_DIR).resolve())
    if inside:
        _, problems = read(Path(root))
    else:
        problems = [p for path in sorted(directory.glob("*.yaml")) for p in read_file(path, str(path)).problems]
    if (refused or problems) and report_diagnostics(refused + problems):
        return 1  # (warnings alone are said, and the configuration is valid: as validate exits, 0)
    print(f"The configuration is valid with them: run `{terminal(planned)}` -- an adopted application shows as ↻ "
          "adopt.")
    return 0
