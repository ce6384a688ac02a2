"""Access-package resources, desired and live: catalog, the app's place in it, package, role scope, policy.

Identity is `(application, role id, catalog)`, never a display name, so renaming a package is an update and moving
it to another catalog is a replacement. Policies are compared in a normal form people can read in a plan
(user principal names, "every 12 months"); the Graph body is built from it at apply time.
"""

from __future__ import annotations

import marshal

from ..config.access import review_schedule
from ..config.model import Configuration
from ..diagnostics import Diagnostic
from .catalogs import marker
from .model import Resource
from .policy import UNREVIEWED, policy_attributes, read_policy, resolve, subject_names
from .resources import KIND_ORDER, add_live
from .two_people import two_people
from .roles import role_parts

__all__ = ["UNREVIEWED", "catalog_description", "desired_governance", "live_governance", "policy_keeper",
           "read_policy"]


catalog_description = marker  # plan/catalogs.py


def desired_governance(configuration: Configuration, environment: str, users: dict[str, str], groups=None,
                       names: dict[str, str] | None = None, applications: dict | None = None,
                       planned: set[str] | None = None):
    """Resources for every access package in `environment`, and a diagnostic for every unknown person or group.
    `users`: lower-cased UPN -> id; `groups`: graph/read_assignments.Groups of the groups the packages name;
    `names`: how plans name people (policy.subject_names; made from this configuration if not given);
    `applications`: every application of the configuration, by name (default: `configuration`'s), which packages of
    their own may grant roles of; `planned`: the keys of those planned (default: `configuration`'s), whose places in
    catalogs are theirs to plan."""
    from .packages import desired_packages  # (which builds on this module)

    resources: dict[tuple, Resource] = {}
    problems: list[Diagnostic] = []
    if names is None:
        names = subject_names(configuration.applications, users, groups)
    applications = applications or {app.name: app for app in configuration.applications}
    planned = planned if planned is not None else {app.key for app in configuration.applications}
    for app in configuration.applications:
        if not app.in_environment(environment):
            continue
        def resolved(package):
            found = resolve(package, users, groups, names, problems)
            problems.extend(two_people(configuration, environment, package, found, groups, names))
            return found
        desired_packages(configuration, environment, app, resolved, applications, planned, resources)
        parts = role_parts((role.id, role.value, role.display_name) for role in app.app_roles)
        for role, part in zip(app.app_roles, parts):
            package = role.access_package
            if package is None:
                continue
            catalog = configuration.catalog_for(environment, package)
            base = f"app.{app.name}.role{part}"
            labels, people = resolved(package)
            add = _adder(resources, app.key, role.id, catalog)
            add("catalog_resource", f"app.{app.name}.catalog[{catalog}]", {"catalog": catalog})
            add("access_package", f"{base}.access_package", package_attributes(package.name, package.description,
                                                                                catalog, package.hidden))
            # The scope grants the role by its id: a role whose value changes (adopted by id) is the same role,
            # and its scope stays as it is. (Its value was compared here once: the plan showed an update of the
            # scope that apply had nothing to send for, and the plan never came back empty.)
            add("role_scope", f"{base}.access_package.role_scope", {"roleId": role.id, "catalog": catalog})
            for policy in package.policies:
                add_policy(add, f"{base}.access_package.policy", package, policy, labels, people)
    return resources, problems


def package_attributes(name: str, description: str | None, catalog: str, hidden: bool) -> dict:
    """A package as plans compare it; `isHidden` only when set, so that plans of packages that never said it are
    as they were."""
    attributes = {"displayName": name, "description": description, "catalog": catalog}
    return attributes | {"isHidden": True} if hidden else attributes


def add_policy(add, address: str, package, policy, labels: dict, people: dict) -> None:
    """The package's one policy (today's form) at `…policy`; a named one at `…policy[<name>]`, identified by the
    name it was created under (`renamedFrom`, else its name), so that renaming it with renamedFrom updates it."""
    schedule = review_schedule(policy.review.frequency_days) if policy.review else None
    extra = {"people": people, "recurrence": (schedule.pattern, schedule.interval) if schedule else None}
    if policy.name is None:
        add("policy", address, policy_attributes(policy, package.name, labels), extra)
        return
    identity = policy_identity(policy.renamed_from or policy.name)
    names = [name.casefold() for name in (policy.name, policy.renamed_from) if name]
    add("policy", f"{address}[{policy.name}]", policy_attributes(policy, policy.name, labels),
        {**extra, "policyNames": names}, identity)


def policy_identity(name: str) -> str:
    return f"|policy:{name.casefold()}"


def _adder(resources: dict, application: str, role_id: str, catalog: str):
    identity = f"{role_id}|{catalog}"
    ids = {"roleId": role_id, "catalog": catalog}  # shared by the package's resources: read, never changed

    def add(kind: str, address: str, attributes: dict, extra: dict | None = None, suffix: str = "") -> None:
        key = (application, KIND_ORDER[kind], kind, catalog if kind == "catalog_resource" else identity + suffix)
        resources[key] = Resource(kind, address, application, attributes, {**ids, **extra} if extra else ids)
    return add


# ---------------------------------------------------------------------------------------------------------- live
def live_governance(apps_by_sp: dict[str, tuple], catalogs: dict[str, dict], resources: dict[str, list],
                    packages: list[dict], policies: list[dict], desired: dict | None = None, others=(),
                    names: dict | None = None, project: str | None = None):
    """What the tenant holds for the project's applications.

    `apps_by_sp`: service principal id -> (application name, its roles' address parts by app role id: see
    plan/roles.py);
    `catalogs`: name -> catalog; `resources`: catalog id -> its resources; `policies`: as `policy_keeper` keeps
    them; `desired`: the configuration's resources (see resources.add_live); `others`: the packages that are not
    the project's (a group resource one of them uses is left alone); `names`: object id -> how plans name it;
    `project`: whose packages left behind by an apply cut short are found (plan/left_behind.py; None: not looked for).
    """
    from .left_behind import add_left_behind  # (these build on this module)
    from .packages import OwnPackages

    found: dict[tuple, Resource] = {}
    catalog_names = {catalog["id"]: name for name, catalog in catalogs.items()}
    for catalog_id, items in resources.items():
        for item in items:
            owner = apps_by_sp.get(item.get("originId"))
            if owner:
                name = catalog_names[catalog_id]
                add_live(found, (owner[0], KIND_ORDER["catalog_resource"], "catalog_resource", name),
                         "catalog_resource", f"app.{owner[0]}.catalog[{name}]", owner[0], {"catalog": name},
                         {"catalogId": catalog_id, "resourceId": item["id"], "servicePrincipalId": item["originId"]},
                         desired)
    policies_by_package: dict[str, list] = {}
    for policy in policies:
        policies_by_package.setdefault(policy["accessPackage"]["id"], []).append(policy)
    granting: dict[tuple, list] = {}  # each role's packages in each catalog: one is expected, more are duplicates
    named_policies = _named_policies(desired)
    own = OwnPackages(desired, apps_by_sp, names or {}, catalog_names, project)
    for package in packages:
        if own.take(found, package, policies_by_package.get(package["id"], []), named_policies):
            continue
        grant = _grant(package, catalog_names, apps_by_sp)
        if grant is not None:
            granting.setdefault((grant[0], grant[1], grant[3]), []).append((package, grant))
        elif project is not None:
            add_left_behind(found, package, policies_by_package.get(package["id"], []),
                            catalog_names.get((package.get("catalog") or {}).get("id")), project, desired)
    for (application, role_id, catalog), candidates in granting.items():
        wanted = _wanted(desired, application, "access_package", f"{role_id}|{catalog}")
        candidates.sort(key=lambda c: _preference(c[0], wanted, policies_by_package))
        for rank, (package, grant) in enumerate(candidates):
            _live_package(found, package, grant, policies_by_package.get(package["id"], []), desired, rank > 0,
                          named_policies)
    own.group_resources(found, resources, others)
    return found


def _grant(package: dict, catalog_names: dict, apps_by_sp: dict) -> tuple | None:
    """(application, role id, role's address part, catalog, role scope) of the project's role a package grants, if
    any."""
    catalog = catalog_names.get((package.get("catalog") or {}).get("id"))
    if catalog is None:
        return None
    for scope in package.get("resourceRoleScopes") or []:  # one role per package: the package idamconf made for it
        owner = apps_by_sp.get((scope.get("scope") or {}).get("originId"))
        role_id = (scope.get("role") or {}).get("originId")
        if owner and role_id in owner[1]:
            return owner[0], role_id, owner[1][role_id], catalog, scope
    return None


def _wanted(desired: dict | None, application: str, kind: str, identity: str):
    return (desired or {}).get((application, KIND_ORDER[kind], kind, identity))


def _preference(package: dict, wanted, policies: dict) -> tuple:
    """Of several packages granting one role in one catalog (two applies that raced, or a copy made by hand), the
    one kept: named as configured, then with a policy, then the oldest id -- the others are planned for deletion."""
    named = wanted is not None and package["displayName"].casefold() == wanted.attributes["displayName"].casefold()
    return not named, not policies.get(package["id"]), package["id"]


def _live_package(found: dict, package: dict, grant: tuple, policies: list, desired: dict | None,
                  duplicate: bool, named_policies: dict | None = None) -> None:
    application, role_id, part, catalog, scope = grant
    base = f"app.{application}.role{part}.access_package"
    identity = f"{role_id}|{catalog}"
    if duplicate:  # shown, and deleted, as a package of its own
        base, identity = f"{base}[duplicate {package['id']}]", f"{identity}|duplicate {package['id']}"
    ids = {"packageId": package["id"], "catalogId": package["catalog"]["id"], "roleScopeId": scope["id"],
           "roleId": role_id, "catalog": catalog}  # shared by the package's resources: read, never changed

    def add(kind: str, address: str, attributes: dict, extra: dict | None = None, suffix: str = "") -> None:
        add_live(found, (application, KIND_ORDER[kind], kind, identity + suffix), kind, address, application,
                 attributes, {**ids, **extra} if extra else ids, desired)

    add("access_package", base, package_attributes(package["displayName"], package.get("description"), catalog,
                                                   bool(package.get("isHidden"))))
    add("role_scope", f"{base}.role_scope", {"roleId": role_id, "catalog": catalog})
    named = None if duplicate else (named_policies or {}).get((application, identity))
    live_policies(add, f"{base}.policy", policies, named, None if duplicate else identity, desired, application)


def live_policies(add, address: str, policies: list, named: dict | None, identity: str | None, desired: dict | None,
                  application: str) -> None:
    """A live package's policies: by name when the file names its policies (`named`), else its one policy, the
    others duplicates. `identity`: the package's (None for a duplicate package, whose policies all go)."""
    if named:
        _live_named(add, address, policies, named)
        return
    wanted = None if identity is None else _wanted(desired, application, "policy", identity)
    kept = sorted(policies, key=lambda p: (wanted is None or p["attributes"] != wanted.attributes, p["id"]))
    for rank, policy in enumerate(kept):  # one policy per package: more are duplicates, deleted
        extra = {"policyId": policy["id"], "startDateTime": policy["startDateTime"]}
        if rank == 0:
            add("policy", address, policy["attributes"], extra)
        else:
            add("policy", f"{address}[duplicate {policy['id']}]", policy["attributes"], extra,
                f"|duplicate {policy['id']}")


def _live_named(add, address: str, policies: list, named: dict[str, str]) -> None:
    """A package whose policies the file names: each live policy is the one of its name (or of the name it had,
    `renamedFrom`); one the file does not name is shown, and deleted, under its own name; a second of one name is a
    duplicate."""
    taken = set()
    for policy in sorted(policies, key=lambda p: p["id"]):
        name = policy["attributes"]["displayName"] or ""
        suffix = named.get(name.casefold()) or policy_identity(name)
        extra = {"policyId": policy["id"], "startDateTime": policy["startDateTime"]}
        if suffix in taken:
            add("policy", f"{address}[duplicate {policy['id']}]", policy["attributes"], extra,
                f"{suffix}|duplicate {policy['id']}")
        else:
            add("policy", f"{address}[{name}]", policy["attributes"], extra, suffix)
        taken.add(suffix)


def _named_policies(desired: dict | None) -> dict[tuple, dict[str, str]]:
    """(application, package identity) -> each name its named policies go by (name, renamedFrom) -> identity
    suffix, from the configuration's resources."""
    index: dict[tuple, dict[str, str]] = {}
    for key, resource in (desired or {}).items():
        if key[2] == "policy" and "policyNames" in resource.ids:
            package = resource.ids.get("package") or f"{resource.ids['roleId']}|{resource.ids['catalog']}"
            suffix = key[3][len(package):]
            index.setdefault((key[0], package), {}).update((name, suffix) for name in resource.ids["policyNames"])
    return index


def policy_keeper(names: dict[str, str]):
    """What a plan keeps of each assignment policy as its page arrives (`names`: user id -> UPN): its id, its
    package's, its review's start, and the policy in the normal form of `policy_attributes` -- the objects Graph
    sends are several times larger. A policy naming a user the configuration does not name is also kept as sent,
    as `marshal` data, with those users' ids (`unnamed`): `name_the_unnamed` looks them up and reads it again."""
    def kept(policy: dict) -> dict:
        unnamed: set[str] = set()
        found = {"id": policy["id"], "accessPackage": {"id": (policy.get("accessPackage") or {}).get("id")},
                 "startDateTime": _start(policy), "attributes": read_policy(policy, names, unnamed)}
        if unnamed:
            found["unnamed"] = (unnamed, marshal.dumps(policy))
        return found
    return kept


async def name_the_unnamed(policies: list[dict], names: dict[str, str], look_up) -> None:
    """The people of `policies` (as `policy_keeper` kept them) whom the configuration does not name, looked up
    (`look_up(ids)`: id -> UPN, for those that exist; graph/read.user_names) and added to `names`; each policy that
    named them read again with them. So a plan names a person by UPN whichever files it read: a full plan, whose
    other files may name them, and a pull request's, which looks up only the people of the files it changes, show
    the same policy alike (a removed one's approvers, say). One who is not in the directory stays an id. None to
    look up in a plan whose policies are as configured."""
    unnamed = sorted({object_id for policy in policies if "unnamed" in policy for object_id in policy["unnamed"][0]
                      if object_id not in names})
    if unnamed:
        names.update(await look_up(unnamed))
    for policy in policies:
        if "unnamed" in policy:
            policy["attributes"] = read_policy(marshal.loads(policy.pop("unnamed")[1]), names)


def _start(policy: dict) -> str | None:
    return (((policy.get("reviewSettings") or {}).get("schedule") or {}).get("startDateTime"))
