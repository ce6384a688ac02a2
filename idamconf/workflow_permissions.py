"""What a plan reads and makes for API permissions and consents (plan/permissions.py), I/O at the edges.

Two stages, so that nearly all of it is read side by side with the directory:
1. at once (`early`): the service principal of every API the configuration names by display name or application id
   (`$batch`es of look-ups), then the consents to those APIs (two lists each);
2. once the project's applications are read (`survey`): the applications of this configuration named as APIs (their
   ids are the project's own; with `--changed-since`, those outside the planned ones are looked up by name), the
   APIs the tenant's `requiredResourceAccess` names and the configuration does not (an API whose last permission
   was removed from a file: its permissions and consents must still be seen, to be removed), and the consents to
   all of these. A configuration that requests nothing of any API reads nothing here.

Requests a plan adds: one `$batch` per 20 APIs named, and two list requests (one page each up to 999 consents) per
API; nothing per application.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .config.model import Application
from .config.permissions import in_configuration
from .diagnostics import Diagnostic
from .graph.client import BatchRequest, GraphRequestFailed, query
from .graph.read_permissions import Consents, find_apis, read_consents
from .plan.permissions import configured_apis, desired_permissions, external_references, found_apis, \
    left_alone, live_permissions, requested_app_ids, tolerated


@dataclass
class Found:
    desired: dict = field(default_factory=dict)
    live: dict = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Early:
    apis: dict  # reference -> Api
    problems: dict  # reference -> (summary, fix)
    consents: Consents


def early(client, wanted: list[Application], names) -> asyncio.Task:
    """Stage 1, started before the directory is read. `names`: of every application of the configuration."""
    async def read() -> _Early:
        references = external_references(wanted, names)
        apis, problems = found_apis(await find_apis(client, references)) if references else ({}, {})
        consents = await read_consents(client, _service_principals(apis.values()))
        return _Early(apis, problems, consents)
    return quiet(asyncio.ensure_future(read()))


def quiet(task: asyncio.Task) -> asyncio.Task:
    """`task`, whose failure is raised where it is awaited, and never reported by asyncio as "never retrieved" (with
    a traceback, at exit) when the plan stopped first for another reason."""
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task


async def survey(client, started: asyncio.Task, everywhere: dict[str, Application], wanted: list[Application],
                 current: dict, required: dict[str, list], tag: str) -> Found:
    """Stage 2. `everywhere`: every application of the configuration as it is in this environment, by name (a client
    may name one outside the planned ones); `current`: the live resources read; `required`: application name ->
    its requiredResourceAccess as read."""
    first = await started
    project = by_name(_project_ids(current), everywhere)
    named = {entry.api for app in wanted for entry in app.api_permissions if in_configuration(entry.api, everywhere)}
    outside = [name for name in named if name not in project and name not in {app.name for app in wanted}]
    project |= by_name(await _by_name(client, [everywhere[name].key for name in outside], tag), everywhere)
    configured = configured_apis({name: everywhere[name] for name in named}, project)
    known = {api.app_id for api in [*first.apis.values(), *configured.values()]}
    others, _ = found_apis(await find_apis(client, {app_id: True for app_id in requested_app_ids(required) - known}))
    consents = await read_consents(client, _service_principals([*configured.values(), *others.values()]))
    by_app_id = {api.app_id: api for api in [*others.values(), *first.apis.values(), *configured.values()]}
    desired = desired_permissions(wanted, {**first.apis, **configured}, first.problems)
    consents = Consents(first.consents.assignments + consents.assignments, first.consents.grants + consents.grants)
    live = live_permissions(required, _clients(current), by_app_id, consents, desired.resources)
    return Found(desired.resources | tolerated(live, desired.tolerated) | left_alone(live, by_app_id), live,
                 desired.problems)


def _service_principals(apis) -> list[str]:
    return sorted({api.service_principal for api in apis if api.service_principal})


def by_name(found: dict, everywhere: dict[str, Application]) -> dict:
    """`found`, keyed by the tenant's names of the project's applications (their keys: uniqueName), keyed by the
    configuration's names instead: an application renamed (renamedFrom) keeps its key (config/model.Application.key)
    but is named in files by its new name."""
    names = {app.key: name for name, app in everywhere.items()}
    return {names.get(key, key): value for key, value in found.items()}


def _project_ids(current: dict) -> dict[str, tuple]:
    """Application key -> (appId, service principal id or None), of the project's applications read."""
    ids = {r.application: (r.ids["appId"].lower(), None) for r in current.values() if r.kind == "application"}
    for resource in current.values():
        if resource.kind == "service_principal" and resource.application in ids:
            ids[resource.application] = (ids[resource.application][0], resource.ids["servicePrincipalId"])
    return ids


def _clients(current: dict) -> dict[str, tuple]:
    """The project's service principal ids -> (application name, the ids a consent's change carries)."""
    return {r.ids["servicePrincipalId"]: (r.application, {"servicePrincipalId": r.ids["servicePrincipalId"]})
            for r in current.values() if r.kind == "service_principal"}


async def _by_name(client, names: list[str], tag: str) -> dict[str, tuple]:
    """Applications of the project outside those planned (`--changed-since`), by key (uniqueName): their ids."""
    requests = [BatchRequest("GET", query(f"applications(uniqueName='{name}')", select="id,appId,tags"))
                for name in names]
    found, answers = {}, await client.batch(requests)
    principals = [BatchRequest("GET", query("servicePrincipals", filter=f"appId eq '{answer.body['appId']}'",
                                            select="id")) for answer in answers if _ours(answer, tag)]
    held = iter(await client.batch(principals))
    for name, answer in zip(names, answers):
        if not answer.ok and answer.status != 404:
            raise GraphRequestFailed(f"GET applications(uniqueName='{name}')", answer.error)
        if _ours(answer, tag):
            listed = next(held).body.get("value") or []
            found[name] = (answer.body["appId"].lower(), listed[0]["id"] if listed else None)
    return found


def _ours(answer, tag: str) -> bool:
    return answer.ok and tag.lower() in {t.lower() for t in answer.body.get("tags") or []}

