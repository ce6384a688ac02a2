"""The core loop, I/O at the edges: configuration + live tenant -> plan; plan -> apply.

Commands call these; they hold no presentation. Everything a plan needs from Graph is read in `_resources`
(graph/read: the directory, the access-package lists and the catalogs' resources, side by side), and what
needs no answer from Graph is made while the answers arrive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

from .config.confined import STATE_DIR
from .config.model import Configuration
from .diagnostics import Diagnostic, DiagnosticError
from .graph.client import GraphRequestFailed
from .graph.connect import Target
from .graph.ownership import Ownership
from .graph.read import (foreign_packages, governance_lists, identifier_uri_holders, read_governance, read_live,
                         resolve_users, user_names)
from .graph.read_changed import Changed, Whole, named_governance
from .graph.read_deleted import read_deleted_owners
from .config.assignments import groups_named, people_named
from .graph.read_assignments import Relationships, find_groups
from .graph.streams import Streams
from .plan.adoption import as_adoptions, pinned, read_adopted, role_conflicts
from .plan import definitions, held_uris, restore
from .plan.restore import EMPTIED
from .plan.relationships import desired_relationships, live_relationships
from .plan.diff import make_plan
from .plan.drift import Base, last_applied, with_drift
from .plan.exposed import resolve_clients
from .plan.logo import unmanaged_dropped
from .plan.catalogs import catalog_attributes, desired_catalog
from .plan.governance import (catalog_description, desired_governance, live_governance, name_the_unnamed,
                              package_attributes, policy_keeper)
from .plan.left_behind import application_of
from .plan.packages import declared, grants_the_projects, places_granted_by_others
from .plan.policy import subject_names
from .config.policy import GUID
from .plan.model import RESTORE, Resource
from .plan.placeholders import resolve_app_ids
from .record import Record, home_problems, read_records, record_name
from .record.lease import describe, free
from .record.record import read_record
from .plan.resources import KIND_ORDER, add_live, desired_resources, live_application, live_resources
from .plan.roles import role_of
from . import workflow_permissions
from .credentials.read import read_federated
from .saml.read import read_saml
from .credentials.read_secrets import laid_over, planned_secrets

EMULATED_TENANT = "embedded-emulator"


def target_for(configuration: Configuration, name: str | None, write: bool = True) -> Target:
    """Where environment `name` is, and who signs in there: `write`, the identity that applies (clientId); else
    the one that only reads (readClientId, default clientId): plan, drift and show never hold a token that writes."""
    given, name = name is not None, name or configuration.default_environment
    environment = configuration.environments.get(name)
    if environment is None:  # a command line's mistake when --env named it, else idamconf.yaml's
        known = ", ".join(configuration.environments)
        raise DiagnosticError([Diagnostic(f"--env {name}: unknown environment" if given else
                                          f"unknown environment '{name}'", f"use one idamconf.yaml defines: {known}",
                                          "" if given else str(Path(configuration.root) / "idamconf.yaml"))])
    root = Path(configuration.root)
    if environment.emulator:
        seed = root / environment.seed if environment.seed else None
        return Target(name, "http://emulator.localhost/v1.0", emulator_state=state_file(configuration, name),
                      emulator_seed=seed, tenant_size=environment.tenant_size, tenant_id=environment.tenant_id,
                      verified_domains=environment.verified_domains)
    reads_as_its_own = not write and bool(environment.read_client_id)
    client_id = environment.read_client_id if reads_as_its_own else environment.client_id
    return Target(name, environment.graph_url.rstrip("/"), environment.credential, environment.tenant_id,
                  client_id, environment.client_secret_env, environment.certificate_path,
                  tenant_size=environment.tenant_size, ca_bundle=environment.ca_bundle,
                  client_key="readClientId" if reads_as_its_own else "clientId")


def state_file(configuration: Configuration, environment: str) -> Path:
    return Path(configuration.root) / STATE_DIR / f"{environment}.db"


async def survey(client, configuration: Configuration, target: Target, only: set[str] | None = None,
                 home: str | None = None, base: Base | None = None, vaults=None, earlier: frozenset | None = None,
                 early=None):
    """The plan, and the live resources it was computed from (for a saved plan's fingerprints).

    `only`: plan just these applications (by key: config/model.Application.key), e.g. the ones whose files changed
    since a git ref.
    `home`: where this configuration lives (record/home.py); refused if the project's record in the tenant binds
    the project to another configuration, or binds this one to another project (None: not checked).
    `base`: the configuration last applied (plan/drift.py): the plan's changes that only undo changes made outside
    idamconf since then are marked as drift.
    `vaults`: where client secrets' copies are (vault/vaults.Vaults; None: not read, every password counts as held).
    `earlier`: with `only`, the names those applications' files gave their access packages at the ref they changed
    since (commands/changed.earlier_package_names): the packages are then read by name (graph/read_changed.py);
    None: every package is read.
    `early`: graph/early.Early, the access-package lists read while the application files were (or None).
    """
    environment = target.environment
    everywhere = _everywhere(configuration, environment)
    configuration = _in(configuration, environment, only)
    if base is not None:
        base = replace(base, configuration=_in(base.configuration, environment, only),
                       everywhere=_everywhere(base.configuration, environment))
    binding = asyncio.ensure_future(_binding(client, configuration, home, target))
    # if reading fails otherwise (the tenant unreachable, --timeout), the binding's own failure says nothing more:
    # retrieved here, so that it is never reported as an unretrieved task's traceback
    binding.add_done_callback(lambda done: done.cancelled() or done.exception())
    try:
        desired, current, base_desired = await _resources(client, configuration, environment, only, everywhere, base,
                                                          vaults, earlier, early)
    except DiagnosticError as error:  # the binding's problem first: it explains the others (a changed project)
        problems, record = await binding
        raise DiagnosticError(problems + error.diagnostics + await _another_apply(client, configuration, record)) \
            from None
    except BaseException:
        binding.cancel()
        raise
    problems, _ = await binding
    if problems:
        raise DiagnosticError(problems)
    plan = make_plan(desired, current, configuration.project, environment, tenant_of(target))
    adopted = {r.application for r in current.values() if r.kind == "application" and r.ids.get("adopting")}
    plan = restore.as_restores(as_adoptions(plan, adopted))
    if base is not None:
        plan = with_drift(plan, desired, base_desired, current, base.label)
    return plan, current


def _everywhere(configuration: Configuration, environment: str) -> dict:
    """Every application of the configuration as it is in `environment`, by name, planned or not."""
    return {app.name: app.for_environment(environment) for app in configuration.applications}


def _in(configuration: Configuration, environment: str, keys: set[str] | None) -> Configuration:
    """Each application as it is in `environment` (config/overrides.py); `keys`: just these (by key)."""
    return replace(configuration, applications=tuple(
        app.for_environment(environment) for app in configuration.applications if keys is None or app.key in keys))


async def _another_apply(client, configuration: Configuration, record: Record | None) -> list[Diagnostic]:
    """The tenant's objects that the configuration's were found at odds with may be another apply's work in flight
    (an access package it has made and not yet given the project's roles looks like one the project does not
    manage): said, when another apply holds the project's lease (record/lease.py). `record`: the project's, as the
    binding read it; None when it was not read (--rebind-project), and then read here, only when there are such
    problems -- a failure to read it leaves them as they are."""
    if record is None:
        try:
            record = await read_record(client, configuration.project)
        except GraphRequestFailed:
            return []
    if free(record.lease, holder=None):  # a plan holds no lease
        return []
    return [Diagnostic(f"another apply of project '{configuration.project}' is running ({describe(record.lease)}): "
                       "the problems above may be what it is making", "run again once it is done",
                       str(Path(configuration.root) / "idamconf.yaml"), path="project")]


async def _binding(client, configuration: Configuration, home: str | None,
                   target: Target) -> tuple[list[Diagnostic], Record | None]:
    """Why this configuration may not manage its project (record/record.home_problems; [] if not checked), and the
    project's record as read for that (None if not checked)."""
    if home is None:
        return [], None
    where = str(Path(configuration.root) / "idamconf.yaml")
    records = await read_records(client)
    project = configuration.project
    state = str(target.emulator_state) if target.embedded else None
    return home_problems(records, project, home, where, str(configuration.root), target.environment, state), \
        records.get(project) or Record(project)


async def _resources(client, configuration: Configuration, environment: str, only: set[str] | None,
                     everywhere: dict | None = None, base: Base | None = None, vaults=None,
                     earlier: frozenset | None = None, early=None):
    """Desired and live resources, from the configuration and what Graph returns; and the base's desired resources
    (None without a base), its people resolved with the configuration's. `everywhere`: every application of the
    configuration as it is in `environment`, by name, planned or not (an API a planned one names).

    Graph's lists are let go as soon as they are converted -- the directory's as it arrives, the access packages'
    when this returns: at 10,000 applications they are larger than the resources made from them, and the plan is
    then built in the memory they held.
    """
    wanted = [app for app in configuration.applications if app.in_environment(environment)]
    everywhere = everywhere or {app.name: app for app in wanted}
    marker = catalog_description(configuration.project)
    catalogs = sorted(_catalog_names(configuration, wanted, environment))
    permissions = workflow_permissions.early(client, wanted, everywhere)  # the APIs named, read meanwhile
    named = people(wanted)
    base_wanted = [app for app in base.configuration.applications if app.in_environment(environment)] if base else []
    resolving = asyncio.ensure_future(resolve_users(client, named + people(base_wanted)))
    grouping = asyncio.ensure_future(find_groups(client, *_groups_named(wanted + base_wanted)))
    naming = asyncio.ensure_future(_names(wanted + base_wanted, resolving, grouping))
    making = asyncio.ensure_future(_desired_meanwhile(configuration, environment, resolving, grouping, naming,
                                                      everywhere))
    streams = Streams.of(app.display_name for app in wanted)  # long lists read side by side (graph/streams.py)
    directory = _directory(client, configuration.tag, only, wanted, everywhere, streams, making)
    service_principals = directory.service_principals
    (unmanaged, current, adopting, required, app_ids, adopted, restoring), lists, \
        (desired, governance, problems, unknown), relations, groups = await asyncio.gather(
            _live_directory(client, configuration, wanted, named, only, directory, resolving, making, streams),
            _governance_lists(client, catalogs, marker, service_principals, naming, only, wanted, earlier, early),
            making, directory.relationships, grouping)
    adding = held_uris.added(desired, current)  # identifier URIs the plan gives: held by another application?
    found, federated, single_sign_on, secrets, holders = await asyncio.gather(  # the APIs' consents, federated
        workflow_permissions.survey(client, permissions, everywhere, wanted, current, required, configuration.tag),
        read_federated(client, wanted, current, desired), read_saml(client, wanted, current, desired, restoring),
        planned_secrets(vaults, wanted, current),  # credentials, SAML (saml/), client secrets (credentials/)
        identifier_uri_holders(client, sorted({uri for uris in adding.values() for uri in uris})))
    current |= federated | single_sign_on
    desired |= secrets[0]
    laid_over(current, secrets[1])  # client secrets: with their status, or left alone
    desired |= found.desired
    current |= found.live
    related, unresolved = desired_relationships(configuration, environment, resolving.result(), groups)
    problems += adopting + _unmanaged_conflicts(configuration, unmanaged) + _unique(unknown) + found.problems + \
        unresolved + held_uris.held_elsewhere(configuration, environment, adding, holders) + \
        definitions.grown(configuration, environment, current)
    if problems:
        raise DiagnosticError(problems)
    desired = resolve_app_ids(desired, current)  # {appId} in identifier URIs, for the applications that exist
    app_ids = workflow_permissions.by_name(app_ids, everywhere)  # named as the files name them
    desired, current = resolve_clients(desired, current, app_ids, add_live)  # clients by app id (plan/exposed)
    current = unmanaged_dropped(desired, current)  # logos of files naming none are left alone (plan/logo)
    apps_by_sp = _applications_by_service_principal(current)
    relations = Relationships(relations.owners | adopted.owners, relations.assignments | adopted.assignments)
    current |= live_relationships(configuration, apps_by_sp, relations, resolving.result(), related,
                                  tuple(everywhere.values()))
    desired |= related
    own_names = {name for name, _ in declared(governance)}  # packages of their own, by name (plan/packages.py)
    project = configuration.project
    live_gov = await read_governance(client, catalogs, set(apps_by_sp), marker, lists, own_names,
                                     also=lambda package: application_of(package, project) is not None)
    await name_the_unnamed(live_gov.policies, naming.result(), lambda ids: user_names(client, ids))
    current |= live_governance(apps_by_sp, live_gov.catalogs, live_gov.resources, live_gov.packages,
                               live_gov.policies, governance, live_gov.others, naming.result(), project)
    problems, emptied = await _foreign_package_names(client, configuration, governance, current, live_gov,
                                                     apps_by_sp)
    if problems:
        raise DiagnosticError(problems)
    current |= {key: _emptied(governance[key], package) for key, package in emptied.items()}
    desired |= governance
    desired |= _catalogs(configuration, catalogs)
    current |= _live_catalogs(configuration, catalogs, live_gov.catalogs)
    if base is None:
        return desired, current, None
    made = await _base_desired(base, base_wanted, environment, resolving, grouping, naming)
    found = _Found(resolving.result(), groups, app_ids)
    return desired, current, last_applied(made, base.configuration, configuration, environment, desired, current, found)


@dataclass
class _Found:
    """What was read that the base's resources are made with too (plan/drift.last_applied)."""

    users: dict
    groups: object
    app_ids: dict


async def _base_desired(base: Base, wanted: list, environment: str, users, groups, names) -> dict:
    """The resources the base configuration wants: what the tenant was last made to match. Its problems (an owner
    gone from the directory since) are not this plan's."""
    desired, governance, _, _ = await _desired_meanwhile(base.configuration, environment, users, groups, names,
                                                         base.everywhere)
    names = sorted(_catalog_names(base.configuration, wanted, environment))
    return desired | governance | _catalogs(base.configuration, names)


def _catalog_names(configuration: Configuration, wanted: list, environment: str) -> set[str]:
    """The catalogs the configuration puts packages in: known before anything is read, so that their resources
    are read side by side with the directory."""
    return {configuration.catalog_for(environment, package) for app in wanted for package in app.packages}


async def _live_directory(client, configuration: Configuration, wanted: list, named: list[str],
                          only: set[str] | None, directory, users, making, streams: Streams):
    """Unmanaged applications in the way, the project's live resources -- each application's as its page arrives,
    sharing the attributes of those like the ones wanted once the configuration's are made (`making`) -- the problems
    of the applications to adopt, each application's requiredResourceAccess (workflow_permissions.py), the app
    ids of all its applications (plan/exposed.py), the relationships of the service principals to adopt or
    restore, and each application to restore as deleted with its deleted service principal (or None), by name."""
    live = await read_live(client, configuration.tag, [app.key for app in wanted], named, only,
                           directory.service_principals, users, _keeper(making), streams, directory.applications)
    live.owners |= await read_deleted_owners(client, list(live.deleted.values()), live.owners,
                                             _owners_named(wanted, live.users))
    adopted = await read_adopted(client, wanted, {app.get("uniqueName") for app in live.applications},
                                 configuration.tag)
    desired = (await making)[0]
    # the project's deleted applications holding a name it would create, and their service principals: read as its
    # own, as they were deleted, with their owners, marked to be restored first (plan/restore.py)
    deleted, principals = list(live.deleted.values()), live.deleted_service_principals
    current = live_resources(live.applications + adopted.applications + deleted, live.service_principals +
                             adopted.service_principals + principals, live.owners | adopted.owners, desired)
    current = _marked(current, set(live.deleted), RESTORE)
    last = {sp["appId"]: sp for sp in principals}  # each one's to restore: its last deleted (as live_resources takes)
    restored = {app["uniqueName"] for app in deleted if app["appId"] in last} | \
        {name for name, app_id in live.app_ids.items() if app_id in last}  # (live: its service principal alone)
    current = _marked(current, restored, RESTORE, "service_principal")
    relationships = Relationships(adopted.relationships.owners | {sp["id"]: sp.pop("owners", None) or []
                                                                  for sp in principals},
                                  adopted.relationships.assignments)
    unmanaged = {name: app for name, app in live.unmanaged.items()  # an application to adopt holding its name
                 if not (name in adopted.names and app.get("id") in {a["id"] for a in adopted.applications})}
    problems = adopted.problems + role_conflicts(configuration, adopted) + pinned(wanted, live.applications)
    required = {app["uniqueName"]: app.get("requiredResourceAccess")
                for app in live.applications + adopted.applications + deleted if app.get("uniqueName")}
    app_ids = {**live.app_ids, **{app["uniqueName"]: app["appId"] for app in adopted.applications + deleted}}
    # (saml/read.py; a live application, its service principal alone in deleted items, is read there by its path)
    restoring = {app["uniqueName"]: (app, last.get(app["appId"])) for app in deleted} | \
        {name: (None, last[app_id]) for name, app_id in live.app_ids.items() if app_id in last}
    return unmanaged, _marked(current, adopted.names, "adopting"), problems, required, app_ids, relationships, \
        restoring


def _owners_named(wanted: list, users: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each application's owners the configuration names, by user id (those in the directory)."""
    return {app.key: {users[upn.lower()]: upn.lower() for upn in app.owners if upn.lower() in users}
            for app in wanted}


def _keeper(making):
    def keep(application: dict) -> dict:  # each application's resources made as its page arrives
        return live_application(application, making.result()[0] if making.done() else None)
    return keep


def _directory(client, tag: str, only: set[str] | None, wanted: list, everywhere: dict, streams: Streams, making):
    """The directory's reads, started: the project's lists (split into `streams`), or with `only` the applications
    of those keys and of the clients they pre-authorise by name (graph/read_changed.py)."""
    if only is None:
        return Whole(client, tag, streams)
    clients = {everywhere[c.client].key for app in wanted for c in app.pre_authorized
               if c.by_name and c.client in everywhere}
    return Changed(client, tag, sorted(only | clients), _keeper(making))


def _marked(current: dict, applications: set[str], flag: str, kind: str = "application") -> dict:
    """These applications' resources (or their resources of `kind`) say so (`flag` in their ids), for the plan to
    show them as what they are: adoptions (`adopting`), restores (plan/model.RESTORE). (Most plans mark none: the
    live resources -- some 130,000 at 10,000 applications -- are then not gone through.)"""
    if not applications:
        return current
    for key, resource in list(current.items()):
        if resource.kind == kind and resource.application in applications:
            current[key] = replace(resource, ids={**resource.ids, flag: True})
    return current


def _governance_lists(client, catalogs: list[str], marker: str, service_principals, naming, only, wanted: list,
                      earlier: frozenset | None, early):
    """The access-package lists (graph/read.governance_lists), or those read early (graph/early.py); for a plan of
    some applications with their files' earlier package names known, only the packages of their names now and then
    (graph/read_changed.py)."""
    keep = _policy_keeper(naming)
    if only is None or earlier is None:
        return governance_lists(client, set(catalogs), marker, service_principals, keep, early)
    names = {name for app in wanted for package in app.packages for name in (package.name, package.renamed_from)
             if name}
    # a task, not a bare coroutine: read in the second round, it must not be left unawaited when the first fails
    roles = frozenset(role.id for app in wanted for role in app.app_roles)  # (see read_changed.holders)
    return named_governance(client, names | earlier, set(catalogs), marker, service_principals,
                            asyncio.ensure_future(keep), roles, naming)


async def _policy_keeper(names):
    """What to keep of each assignment policy, once the people are known (policies name them by id)."""
    return policy_keeper(await names)


async def _names(applications: list, users, groups) -> dict[str, str]:
    """How plans name the people and groups policies name (plan/policy.subject_names), once they are looked up."""
    return subject_names(applications, await users, await groups)


def _groups_named(applications: list) -> tuple[list[str], list[str]]:
    """The display names and object ids of the groups named by assignments and by access packages."""
    names, ids = groups_named(applications)
    written = [s[6:] for s in package_subjects(applications) if s.startswith("group:")]
    return names + [g for g in written if not GUID.match(g)], ids + [g for g in written if GUID.match(g)]


DESIRED_SLICE = 100  # applications made into resources between two looks at what Graph has answered


async def _desired_meanwhile(configuration: Configuration, environment: str, users, groups, names,
                             everywhere: dict | None = None):
    """The configuration's resources and its access packages' (apart), the owners not in the directory, and the
    other people not in it.

    They need only the people's ids (`users`, read first), so they are made while the directory's and the access
    packages' pages are still arriving: a slice of applications at a time, each page that arrived meanwhile handled
    between two slices (and its next one asked for), so that the tenant's reading is not held up."""
    users = await users
    groups, names = await groups, await names
    desired, governance, problems, unknown = {}, {}, [], []
    applications = configuration.applications
    planned = {app.key for app in applications}  # packages of their own may grant roles of others (everywhere)
    everywhere = everywhere or {app.name: app for app in applications}
    for start in range(0, len(applications), DESIRED_SLICE):
        part = replace(configuration, applications=applications[start:start + DESIRED_SLICE])
        resources, found = desired_resources(part, environment, users)
        packages, people_unknown = desired_governance(part, environment, users, groups, names, everywhere, planned)
        desired |= resources
        governance |= packages
        problems += found
        unknown += people_unknown
        await asyncio.sleep(0)
    governance = places_granted_by_others(configuration, environment, everywhere, planned) | governance
    return desired, governance, problems, unknown


def ownership(configuration: Configuration, environment: str, live: dict) -> Ownership:
    """What an apply may write (graph/ownership.py): the objects of `live`, read as the project's, and the names of
    the configuration's applications in `environment`, which the read found held by no other project."""
    claimed = {app.key for app in configuration.applications if app.in_environment(environment)}
    claimed.add(record_name(configuration.project))  # the project's record, written by name (record/lease.py)
    return Ownership.of(configuration.tag, live, claimed)


def tenant_of(target: Target) -> str:
    return target.tenant_id or (EMULATED_TENANT if target.embedded else target.graph_url)


async def _foreign_package_names(client, configuration, governance: dict, current: dict, live_gov,
                                 apps_by_sp: dict) -> list:
    """A package to create, or to rename, whose name another team's package already holds in that catalog: never
    taken over, nor run into. A create takes over an empty package of its name -- what an apply of ours cut short
    leaves behind (graph/read.foreign_packages) -- but a rename cannot: Graph refuses to give a package a name its
    catalog holds, whoever holds it (409 DuplicateAccessPackage), so a rename is refused whatever package of another
    holds its new name, rather than planned and then failed half-way through an apply."""
    def named(package_name: str, catalog_name: str) -> tuple:  # as Graph compares names: in any case
        return package_name.casefold(), catalog_name.casefold()

    def name_of(resource: Resource) -> tuple:
        return named(resource.attributes["displayName"], resource.attributes["catalog"])

    packages = [(key, r) for key, r in governance.items() if r.kind == "access_package"]
    created = [r for key, r in packages if key not in current]
    renamed = [r for key, r in packages if key in current and name_of(r) != name_of(current[key])]
    names = {name_of(r) for r in created + renamed}
    recognised = {r.ids.get("packageId") for r in current.values() if r.kind == "access_package"}
    candidates = [p for p in live_gov.others + live_gov.packages if p["id"] not in recognised  # (one of a declared
                  and named(p["displayName"], (p.get("catalog") or {}).get("displayName") or "") in names]  # name)
    foreign = await foreign_packages(client, candidates) if candidates else set()
    restoring = _restoring(current)
    emptied = {named(p["displayName"], p["catalog"]["displayName"]): p for p in candidates  # (see _restoring)
               if not p.get("resourceRoleScopes")}
    taken = {key: emptied[name_of(r)] for key, r in packages if key not in current and
             r.application in restoring and name_of(r) in emptied}
    foreign -= {package["id"] for package in taken.values()}
    held: dict[tuple, bool] = {}  # a name some package not the project's holds -> whether another team's does
    ours: dict[tuple, str] = {}  # a name a package of the project holds (a catalog's names are unique), which the
    for package in candidates:  # configuration now declares under another name, or no longer
        name = named(package["displayName"], package["catalog"]["displayName"])
        held[name] = held.get(name, False) or package["id"] in foreign
        if grants_the_projects(package, apps_by_sp):
            ours[name] = package["displayName"]
    problems = []
    refused = [(r, False) for r in created if held.get(name_of(r))] + \
        [(r, True) for r in renamed if name_of(r) in held]  # (True: a rename)
    for resource, renaming in refused:
        location = _package_of(configuration, resource).location
        if renaming and ours.get(name_of(resource)):
            problems.append(Diagnostic(  # one apply cannot free the name before it takes it (Graph: 409)
                f"access package '{resource.attributes['displayName']}' takes the name that another package of "
                f"project '{configuration.project}' holds in catalog '{resource.attributes['catalog']}' "
                f"('{ours[name_of(resource)]}'), which the configuration now names otherwise or no longer declares: "
                "Graph refuses a name its catalog holds, and one apply cannot free it first",
                "rename in two applies: first apply the other package's change with this one keeping its name, "
                "then this rename", location.file, location.line, location.column))
            continue
        problems.append(Diagnostic(
            f"access package '{resource.attributes['displayName']}' already exists in catalog "
            f"'{resource.attributes['catalog']}' and is not managed by project '{configuration.project}'",
            "give this package another name (accessPackage.name, or accessPackages[].name); idamconf never "
            "takes over another team's package", location.file, location.line, location.column))
    return problems, taken


def _emptied(wanted: Resource, package: dict) -> Resource:
    """The package a deletion emptied, as the tenant holds it, which the plan takes back (`_restoring`): a live
    resource, so that the plan shows what apply changes of it (plan/restore.as_restores: a take-back); its ids say
    which package it is (apply takes it, and no other, where it would refuse a package with a policy)."""
    attributes = package_attributes(package["displayName"], package.get("description"),
                                    wanted.attributes["catalog"], bool(package.get("isHidden")))
    return replace(wanted, attributes=attributes, ids={**wanted.ids, EMPTIED: package["id"]})


def _restoring(current: dict) -> set[str]:
    """The applications whose service principal the plan restores from deleted items (with the application, or
    alone). Deleting a service principal takes its place in catalogs and the role scopes on it along for good
    (docs/emulator.md, "Deleted applications and service principals"), and leaves its packages, policies and all,
    granting nothing: an access package the file declares for such an application, under its name in its catalog,
    granting nothing, is taken as the package it was -- its role scopes made again once the service principal is back
    -- not refused as another team's (until session 52 the plan was refused for ever, and the application could not
    be restored by apply). One granting anything is still another team's."""
    return {r.application for r in current.values() if r.kind == "service_principal" and r.ids.get(RESTORE)}


def _package_of(configuration, resource: Resource):
    """The package of the configuration a package resource was made from: on its role, or one of its own."""
    app = next(a for a in configuration.applications if a.key == resource.application)
    if "package" in resource.ids:
        return next(p for p in app.access_packages if p.name == resource.attributes["displayName"])
    return next(r for r in app.app_roles if r.id == resource.ids["roleId"]).access_package


def people(applications) -> list[str]:
    """Everyone the configuration names: owners, approvers, reviewers, requestors, assigned users."""
    upns = [upn for app in applications for upn in [*app.owners, *people_named(app)]]
    return upns + [subject for subject in package_subjects(applications) if "@" in subject]


def package_subjects(applications) -> list[str]:
    """Everyone the applications' access packages name, as written (config/model.AccessPackage.subjects)."""
    return [subject for app in applications for package in app.packages for subject, _ in package.subjects()]


def _unique(problems: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(problems))


def _applications_by_service_principal(current: dict) -> dict[str, tuple]:
    roles: dict[str, dict] = {}  # application name -> role id -> the role's address part (plan/roles.py)
    service_principals: dict[str, str] = {}  # service principal id -> application name
    for resource in current.values():
        if resource.kind == "role":
            roles.setdefault(resource.application, {})[resource.attributes["id"]] = role_of(resource.address)
        elif resource.kind == "service_principal":
            service_principals[resource.ids["servicePrincipalId"]] = resource.application
    return {sp: (application, roles.get(application, {})) for sp, application in service_principals.items()}


def _catalogs(configuration: Configuration, names: list[str]) -> dict:
    """Catalogs are created when missing and never deleted: they may hold other teams' packages."""
    return {_catalog_key(name): Resource("catalog", f"catalog[{name}]", "",
                                         catalog_attributes(configuration, name, desired_catalog(configuration, name)))
            for name in names}


def _live_catalogs(configuration: Configuration, names: list[str], found: dict[str, dict]) -> dict:
    """The catalogs among `names` the tenant has (`found`: display name -> catalog)."""
    return {_catalog_key(name): _catalog(name, catalog_attributes(configuration, name, found[name]), found[name])
            for name in names if name in found}


def _catalog_key(name: str) -> tuple:
    return "", KIND_ORDER["catalog"], "catalog", name


def _catalog(name: str, attributes: dict, catalog: dict) -> Resource:
    ids = {"catalogId": catalog["id"]}
    if len(attributes) > 1:  # settings the project file declares: the project manages them (graph/ownership.py)
        ids["declaredCatalogId"] = catalog["id"]
    return Resource("catalog", f"catalog[{name}]", "", attributes, ids)


def _unmanaged_conflicts(configuration: Configuration, unmanaged: dict) -> list[Diagnostic]:
    problems = []
    for app in configuration.applications:
        if app.key in unmanaged:
            other = unmanaged[app.key]
            location = app.location
            problems.append(Diagnostic(
                f"an application named '{app.key}' already exists in the tenant (\"{other.get('displayName')}\", "
                f"id {other.get('id')}) but is not managed by project '{configuration.project}'",
                f"choose another name, or adopt it deliberately by adding the tag {configuration.tag} to it in the "
                "tenant", location.file, location.line, location.column))
    return problems
