"""Access-package resources, desired and live: catalog, the app's place in it, package, role scope, policy.

Identity is `(application, role id, catalog)`, never a display name, so renaming a package is an update and moving
it to another catalog is a replacement. Policies are compared in a normal form people can read in a plan
(user principal names, "every 12 months"); the Graph body is built from it at apply time.
"""

from __future__ import annotations

from ..config.access import review_schedule
from ..config.model import Configuration
from ..diagnostics import Diagnostic
from .model import Resource
from .resources import KIND_ORDER, add_live
from .roles import role_label, role_parts

UNREVIEWED = {"remove": "removeAccess", "keep": "keepAccess", "recommendation": "acceptAccessRecommendation"}
_UNREVIEWED_FROM_GRAPH = {graph: ours for ours, graph in UNREVIEWED.items()}


def catalog_description(project: str) -> str:
    """How a catalog idamconf created for the project says so: such catalogs are always read, so that the project's
    applications are taken out of them when no package needs them there any more."""
    return f"Access packages managed by idamconf ({project})."


def desired_governance(configuration: Configuration, environment: str, users: dict[str, str]):
    """Resources for every access package in `environment`, and a diagnostic for every unknown person."""
    resources: dict[tuple, Resource] = {}
    problems: list[Diagnostic] = []
    for app in configuration.applications:
        if not app.in_environment(environment):
            continue
        parts = role_parts((role.id, role.value, role.display_name) for role in app.app_roles)
        for role, part in zip(app.app_roles, parts):
            package = role.access_package
            if package is None:
                continue
            catalog = configuration.catalog_for(environment, package)
            base = f"app.{app.name}.role{part}"
            people = _people(package, users, problems)
            add = _adder(resources, app.name, role.id, catalog)
            add("catalog_resource", f"app.{app.name}.catalog[{catalog}]", {"catalog": catalog})
            add("access_package", f"{base}.access_package", {"displayName": package.name,
                                                              "description": package.description, "catalog": catalog})
            add("role_scope", f"{base}.access_package.role_scope", {"role": role_label(part), "catalog": catalog})
            schedule = review_schedule(package.review.frequency_days) if package.review else None
            add("policy", f"{base}.access_package.policy", policy_attributes(package, people),
                {"people": people, "recurrence": (schedule.pattern, schedule.interval) if schedule else None})
    return resources, problems


def _adder(resources: dict, application: str, role_id: str, catalog: str):
    identity = f"{role_id}|{catalog}"
    ids = {"roleId": role_id, "catalog": catalog}  # shared by the package's resources: read, never changed

    def add(kind: str, address: str, attributes: dict, extra: dict | None = None) -> None:
        key = (application, KIND_ORDER[kind], kind, catalog if kind == "catalog_resource" else identity)
        resources[key] = Resource(kind, address, application, attributes, {**ids, **extra} if extra else ids)
    return add


def _people(package, users: dict[str, str], problems: list) -> dict[str, str]:
    """Lower-cased UPN (or group:<id>) -> object id for approvers, reviewers and requestors; unknown people become
    diagnostics (where they are written is looked up only then)."""
    review = package.review
    named = [(package.approvers, lambda: package.approver_locations),
             (review.reviewers if review else (), lambda: review.reviewer_locations),
             (package.requestors or (), lambda: package.requestor_locations)]
    found = {}
    for people, locations in named:
        for index, upn in enumerate(people):
            lowered = upn.lower()
            if lowered in users:
                found[lowered] = users[lowered]
                continue
            location = locations()[index]
            if upn.startswith("group:"):
                problems.append(Diagnostic(f"group {upn[6:]} is not in the tenant", "check the group's object id in "
                                           "the Entra admin centre (groups are named by id, never by display name)",
                                           location.file, location.line, location.column))
            else:
                problems.append(Diagnostic(f"{upn} is not a user in the tenant", "check the spelling of the user "
                                           "principal name; people are matched by exact UPN, never by e-mail",
                                           location.file, location.line, location.column))
    return found


def policy_attributes(package, people: dict[str, str]) -> dict:
    review = package.review
    return {
        "displayName": package.name,
        "approvers": sorted(upn.lower() for upn in package.approvers),
        "approverJustificationRequired": package.approver_justification,
        "autoDenyDays": package.auto_deny_days,
        "requestors": "all members" if package.requestors is None else sorted(u.lower() for u in package.requestors),
        "assignmentDays": package.assignment_days,
        "review": None if review is None else {
            "reviewers": sorted(upn.lower() for upn in review.reviewers),
            "schedule": review_schedule(review.frequency_days).label,
            "durationDays": review.duration_days,
            "unreviewed": review.unreviewed,
        },
    }


# ---------------------------------------------------------------------------------------------------------- live
def live_governance(apps_by_sp: dict[str, tuple], catalogs: dict[str, dict], resources: dict[str, list],
                    packages: list[dict], policies: list[dict], desired: dict | None = None):
    """What the tenant holds for the project's applications.

    `apps_by_sp`: service principal id -> (application name, its roles' address parts by app role id: see
    plan/roles.py);
    `catalogs`: name -> catalog; `resources`: catalog id -> its resources; `policies`: as `policy_keeper` keeps
    them; `desired`: the configuration's resources (see resources.add_live).
    """
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
    for package in packages:
        grant = _grant(package, catalog_names, apps_by_sp)
        if grant is not None:
            granting.setdefault((grant[0], grant[1], grant[3]), []).append((package, grant))
    for (application, role_id, catalog), candidates in granting.items():
        wanted = _wanted(desired, application, "access_package", f"{role_id}|{catalog}")
        candidates.sort(key=lambda c: _preference(c[0], wanted, policies_by_package))
        for rank, (package, grant) in enumerate(candidates):
            _live_package(found, package, grant, policies_by_package.get(package["id"], []), desired, rank > 0)
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
                  duplicate: bool) -> None:
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

    add("access_package", base, {"displayName": package["displayName"], "description": package.get("description"),
                                 "catalog": catalog})
    add("role_scope", f"{base}.role_scope", {"role": role_label(part), "catalog": catalog})
    wanted = None if duplicate else _wanted(desired, application, "policy", identity)
    kept = sorted(policies, key=lambda p: (wanted is None or p["attributes"] != wanted.attributes, p["id"]))
    for rank, policy in enumerate(kept):  # one policy per package: more are duplicates, deleted
        extra = {"policyId": policy["id"], "startDateTime": policy["startDateTime"]}
        if rank == 0:
            add("policy", f"{base}.policy", policy["attributes"], extra)
        else:
            add("policy", f"{base}.policy[duplicate {policy['id']}]", policy["attributes"], extra,
                f"|duplicate {policy['id']}")


def policy_keeper(names: dict[str, str]):
    """What a plan keeps of each assignment policy as its page arrives (`names`: user id -> UPN): its id, its
    package's, its review's start, and the policy in the normal form of `policy_attributes` -- the objects Graph
    sends are several times larger."""
    def kept(policy: dict) -> dict:
        return {"id": policy["id"], "accessPackage": {"id": (policy.get("accessPackage") or {}).get("id")},
                "startDateTime": _start(policy), "attributes": read_policy(policy, names)}
    return kept


def read_policy(policy: dict, names: dict[str, str]) -> dict:
    """A Graph assignment policy in the normal form of `policy_attributes`."""
    approval = policy.get("requestApprovalSettings") or {}
    stage = (approval.get("stages") or [{}])[0]
    review = policy.get("reviewSettings") or {}
    expiration = policy.get("expiration") or {}
    return {
        "displayName": policy.get("displayName"),
        "approvers": _names(stage.get("primaryApprovers"), names),
        "approverJustificationRequired": bool(stage.get("isApproverJustificationRequired")),
        "autoDenyDays": _days(stage.get("durationBeforeAutomaticDenial")),
        "requestors": "all members" if policy.get("allowedTargetScope") == "allMemberUsers"
        else _names(policy.get("specificAllowedTargets"), names),
        "assignmentDays": _days(expiration.get("duration")) if expiration.get("type") == "afterDuration" else None,
        "review": None if not review.get("isEnabled") else {
            "reviewers": _names(review.get("primaryReviewers"), names),
            "schedule": _schedule_label(review),
            "durationDays": _days(((review.get("schedule") or {}).get("expiration") or {}).get("duration")),
            "unreviewed": _UNREVIEWED_FROM_GRAPH.get(review.get("expirationBehavior"), review.get("expirationBehavior")),
        },
    }


def _start(policy: dict) -> str | None:
    return (((policy.get("reviewSettings") or {}).get("schedule") or {}).get("startDateTime"))


def _names(subjects, names: dict[str, str]) -> list[str]:
    """People by UPN, groups as group:<id>, anything else by its type."""
    return sorted(names.get(s["userId"], s["userId"]) if s.get("userId") else
                  f"group:{s['groupId']}" if s.get("groupId") else s.get("@odata.type", "?") for s in subjects or [])


def _days(duration: str | None) -> int | None:
    if not duration or not duration.startswith("P") or not duration.endswith("D"):
        return None
    try:
        return int(duration[1:-1])
    except ValueError:
        return None


def _schedule_label(review: dict) -> str | None:
    pattern = (((review.get("schedule") or {}).get("recurrence") or {}).get("pattern") or {})
    unit = {"weekly": "week", "absoluteMonthly": "month"}.get(pattern.get("type"))
    interval = pattern.get("interval") or 0
    return f"every {interval} {unit}{'s' if interval != 1 else ''}" if unit else pattern.get("type")
