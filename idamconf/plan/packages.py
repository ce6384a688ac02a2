"""Access packages of their own (`accessPackages:`), desired and live: the package, what it grants (one `grant` per
resource role scope: an app role, or a group's `Member` role), its policies, and the catalog resources its grants
need -- the applications' (as packages on roles have them) and the groups' (`catalog[<name>].group[<group>]`).

A package's identity is `package:<name it was created under>|<catalog>`, so `renamedFrom` renames it in place and a
grant added or removed is a change of its own, never a new package. A grant's identity is its role's origin id: the
app role's id, or `Member_<group id>` (Graph's form for a group's members). A group resource belongs to the project
(application "") rather than to one file, as several packages may grant one group: it is wanted while a package
grants the group, and removed when none of the project's packages does and no other package of the catalog uses it.

A live package is one of these when the configuration declares a package of its name (or renamedFrom) in its catalog
and it grants nothing but the project's roles and groups' membership -- Graph gives packages no tags, so the name is
what says it -- or when, not so declared, it grants several of the project's roles or a group beside one: a package
of its own taken out of the file, which is then removed; or when it has a declared name in another catalog and grants
only what the configuration's packages grant: what a move to another catalog leaves behind (a catalog cannot change).
(One that grants only groups cannot be told from another team's once no file names it, and is left alone.)
"""

from __future__ import annotations

from ..config.model import Configuration
from ..config.packages import granted_role, label
from .governance import add_policy, live_policies, package_attributes
from .left_behind import application_of
from .model import Resource
from .resources import KIND_ORDER, add_live
from .roles import role_label

MEMBER = "Member_"  # a group's members role: originId Member_<group id> (Graph's accessPackageResourceRole)


def identity(name: str, catalog: str) -> str:
    return f"package:{name.casefold()}|{catalog}"


def origin_of(origin: str) -> str:
    """A role's origin id as plans key grants by: an app role's id, or Member_<group id>, ids lower-cased."""
    return MEMBER + origin[len(MEMBER):].lower() if origin.startswith(MEMBER) else origin.lower()


# -------------------------------------------------------------------------------------------------------- desired
def desired_packages(configuration: Configuration, environment: str, app, resolved, applications: dict,
                     planned: set[str], resources: dict) -> None:
    """The resources of `app`'s own packages into `resources`. `resolved(package)`: (labels, people) as
    plan/policy.resolve gives them (unknown groups already reported); `applications`: the configuration's, by
    name (a grant of another application's role); `planned`: the keys of the applications planned, whose places
    in catalogs the plan shows (a plan of some files leaves the others' alone)."""
    for package in app.access_packages:
        catalog = configuration.catalog_for(environment, package)
        labels, people = resolved(package)
        key = identity(package.renamed_from or package.name, catalog)
        base = f"app.{app.name}.access_package[{package.name}]"
        ids = {"package": key, "catalog": catalog}

        def add(kind: str, address: str, attributes: dict, extra: dict | None = None, suffix: str = "",
                owner: str = app.key) -> None:
            resources[(owner, KIND_ORDER[kind], kind, key + suffix)] = Resource(kind, address, owner, attributes,
                                                                                {**ids, **(extra or {})})
        names = [n.casefold() for n in (package.name, package.renamed_from) if n]
        add("access_package", base, package_attributes(package.name, package.description, catalog, package.hidden),
            {"packageNames": names})
        for grant in package.grants:
            _desired_grant(add, base, app, grant, catalog, (labels, people), (applications, planned), resources)
        for policy in package.policies:
            add_policy(add, f"{base}.policy", package, policy, labels, people)


def _desired_grant(add, base: str, app, grant, catalog: str, found: tuple, known: tuple, resources: dict) -> None:
    (labels, people), (applications, planned) = found, known
    if grant.group:
        name = labels.get(grant.group.lower())
        if name is None:  # not found in the tenant: reported by resolve
            return
        group_id = people[name].lower()
        add("grant", f"{base}.grant[group {name[6:]}]", {"group": name[6:]},
            {"originId": MEMBER + group_id, "groupId": group_id}, f"|{MEMBER}{group_id}")
        resources[("", KIND_ORDER["catalog_resource"], "group_resource", f"{catalog}|{group_id}")] = Resource(
            "group_resource", f"catalog[{catalog}].group[{name[6:]}]", "", {"catalog": catalog, "group": name[6:]},
            {"catalog": catalog, "groupId": group_id})
        return
    holder = applications.get(grant.application) if grant.application else app
    role = granted_role(holder, grant.role) if holder is not None else None
    if role is None:  # reported by validate (config/packages.py)
        return
    add("grant", f"{base}.grant[{label(grant)}]", {"role": label(grant)},
        {"originId": role.id, "roleOf": holder.key}, f"|{origin_of(role.id)}")
    if holder.key in planned:
        resources.update([_place(holder, role, catalog)])


def _place(holder, role, catalog: str) -> tuple:
    """(key, resource) of the place in `catalog` of `holder`'s service principal, which a package there grants
    `role` of."""
    return (holder.key, KIND_ORDER["catalog_resource"], "catalog_resource", catalog), Resource(
        "catalog_resource", f"app.{holder.name}.catalog[{catalog}]", holder.key, {"catalog": catalog},
        {"catalog": catalog, "roleId": role.id})


def places_granted_by_others(configuration: Configuration, environment: str, applications: dict,
                             planned: set[str]) -> dict:
    """The places in catalogs of the planned applications' service principals that packages of their own of
    applications not planned grant roles of (`applications`: the configuration's, by name, as in `environment`):
    a plan of some files shows them as the full plan does -- never as places to remove."""
    places = {}
    for app in applications.values():
        if app.key in planned or not app.in_environment(environment):
            continue
        for package in app.access_packages:
            catalog = configuration.catalog_for(environment, package)
            for grant in package.grants:
                holder = applications.get(grant.application) if grant.application else None
                role = granted_role(holder, grant.role) if holder is not None and holder.key in planned else None
                if role is not None:
                    places.update([_place(holder, role, catalog)])
    return places


def declared(desired: dict | None) -> dict[tuple, tuple]:
    """(name, catalog), both folded -> (application, identity, package address) of every package of its own the
    configuration's resources hold, under each name it goes by."""
    index: dict[tuple, tuple] = {}
    for key, resource in (desired or {}).items():
        if resource.kind == "access_package" and "package" in resource.ids:
            for name in resource.ids["packageNames"]:
                index[(name, resource.ids["catalog"].casefold())] = (key[0], key[3], resource.address)
    return index


# ----------------------------------------------------------------------------------------------------------- live
def undeclared(package: dict, apps_by_sp: dict) -> str | None:
    """The application a live package not declared by name belongs to, when it is one of these: it grants several
    of the project's roles, or groups beside one of them (see the module's notes). None otherwise."""
    scopes = package.get("resourceRoleScopes") or []
    owners = [apps_by_sp[(s.get("scope") or {}).get("originId")][0] for s in scopes
              if (s.get("scope") or {}).get("originId") in apps_by_sp]
    return owners[0] if owners and len(scopes) > 1 else None


def grants_the_projects(package: dict, apps_by_sp: dict) -> bool:
    """Whether a live package grants the project's roles and nothing else but groups' membership: a package of the
    project's, wherever the configuration declares it now."""
    roles = [(s.get("scope") or {}).get("originId") for s in package.get("resourceRoleScopes") or []
             if _group_of(s) is None]
    return bool(roles) and all(origin in apps_by_sp for origin in roles)


def _group_of(scope: dict) -> str | None:
    origin = str((scope.get("role") or {}).get("originId") or "")
    return origin[len(MEMBER):].lower() if origin.startswith(MEMBER) else None


def live_package(found: dict, package: dict, place: tuple, catalog: str, policies: list, desired: dict | None,
                 named: dict | None, context) -> None:
    """One live package of its own into `found`: the package, its grants, its policies. `place`: (application,
    identity, address); `context.label(scope)` names a grant as the configuration does."""
    application, key, base = place
    ids = {"package": key, "catalog": catalog, "packageId": package["id"], "catalogId": package["catalog"]["id"]}

    def add(kind: str, address: str, attributes: dict, extra: dict | None = None, suffix: str = "") -> None:
        add_live(found, (application, KIND_ORDER[kind], kind, key + suffix), kind, address, application,
                 attributes, {**ids, **(extra or {})}, desired)

    add("access_package", base, package_attributes(package["displayName"], package.get("description"), catalog,
                                                   bool(package.get("isHidden"))))
    for scope in package.get("resourceRoleScopes") or []:
        origin = str((scope.get("role") or {}).get("originId") or "")
        attributes, shown = context.label(scope, application)
        add("grant", f"{base}.grant[{shown}]", attributes, {"originId": origin, "roleScopeId": scope["id"]},
            f"|{origin_of(origin)}")
    live_policies(add, f"{base}.policy", policies, named, key, desired, application)


def live_group_resources(found: dict, resources: dict, catalog_names: dict, used: set, foreign: set,
                         group_names: dict, desired: dict | None) -> None:
    """The catalogs' group resources the project wants, or that its packages grant (`used`: (catalog id, group id))
    and no other team's package does (`foreign`: such pairs) -- or that no package uses, of a group the project's
    packages grant somewhere (what an apply cut short between a package's removal and its group's leaves)."""
    wanted = {key for key in (desired or {}) if key[2] == "group_resource"}
    granted = {resource.ids["groupId"] for resource in (desired or {}).values() if resource.kind == "group_resource"}
    for catalog_id, items in resources.items():
        catalog = catalog_names[catalog_id]
        for item in items:
            group_id = str(item.get("originId") or "").lower()
            key = ("", KIND_ORDER["catalog_resource"], "group_resource", f"{catalog}|{group_id}")
            pair = (catalog_id, group_id)
            ours = pair in used and pair not in foreign or group_id in granted and pair not in used | foreign
            if key not in wanted and not ours:
                continue
            name = group_names.get(group_id, group_id)
            add_live(found, key, "group_resource", f"catalog[{catalog}].group[{name}]", "",
                     {"catalog": catalog, "group": name},
                     {"catalog": catalog, "groupId": group_id, "catalogId": catalog_id, "resourceId": item["id"]},
                     desired)


class OwnPackages:
    """The live packages of their own, as `live_governance` meets them, and the group resources they use."""

    def __init__(self, desired: dict | None, apps_by_sp: dict, names: dict, catalog_names: dict,
                 project: str | None = None):
        self.desired, self.apps_by_sp, self.names, self.catalog_names = desired, apps_by_sp, names, catalog_names
        self.project = project  # whose packages an apply began to take apart are found (plan/left_behind.py)
        self.declared = declared(desired)
        self.labels = {origin_of(r.ids["originId"]): r.attributes for r in (desired or {}).values()
                       if r.kind == "grant"}
        self.used: set[tuple] = set()  # (catalog id, group id) a package of the project grants
        self.taken: dict[str, str] = {}  # a declared package's identity -> the id of the live package found for it

    def take(self, found: dict, package: dict, policies: list, named_policies: dict) -> bool:
        """Whether `package` is one of these: then its resources are added to `found`."""
        catalog = self.catalog_names.get((package.get("catalog") or {}).get("id"))
        if catalog is None:
            return False
        place = self.declared.get((package["displayName"].casefold(), catalog.casefold()))
        if place is None:
            owner = undeclared(package, self.apps_by_sp) or self._moved(package, policies) or self._taken_apart(package)
            if owner is None:
                return False
            key = identity(package["displayName"], catalog)
            place = (owner, key, f"app.{owner}.access_package[{package['displayName']}]")
        elif not self.is_own(package) or not package.get("resourceRoleScopes") and policies:
            return False  # another team's package of the name: never taken over (workflow says so). (An empty
            # package with a policy is not what an apply of ours cut short leaves: it makes the policy last.)
        elif self.taken.setdefault(place[1], package["id"]) != package["id"] and \
                not package.get("resourceRoleScopes") and not policies:
            return False  # an empty package holding the new name of one found by its renamedFrom (or the other
            # way round): not it, and Graph refuses the rename into its name (workflow says so). Met first, an empty
            # one is taken and then replaced by the other: a package's resources are keyed by the declared one.
        application = place[0]
        for scope in package.get("resourceRoleScopes") or []:
            if group := _group_of(scope):
                self.used.add((package["catalog"]["id"], group))
        named = named_policies.get((application, place[1]))
        live_package(found, package, place, catalog, policies, self.desired, named, self)
        return True

    def _moved(self, package: dict, policies: list) -> str | None:
        """The application declaring a package of this name in another catalog, when this one is what it left behind
        (a package's catalog cannot change: a move is a new package and the old one's removal): it grants nothing but
        what the configuration's packages grant (a same-named package of another catalog granting anything else is
        someone else's), and is not an empty package with a policy."""
        name = package["displayName"].casefold()
        owner = next((place[0] for (declared, _), place in self.declared.items() if declared == name), None)
        scopes = package.get("resourceRoleScopes") or []
        if owner is None or not scopes and policies or not all(
                origin_of(str((scope.get("role") or {}).get("originId"))) in self.labels for scope in scopes):
            return None
        return owner

    def _taken_apart(self, package: dict) -> str | None:
        """The application whose package an apply of the project began to take apart and left granting only groups'
        membership (plan/left_behind.py: it says so of itself) -- a package of its own cut short between its
        grants' deletions, which nothing else here recognises. (One granting nothing is left_behind.py's; one still
        granting a role of the project is found by that role.)"""
        scopes = package.get("resourceRoleScopes") or []
        if self.project is None or not scopes or not all(map(_group_of, scopes)):
            return None
        return application_of(package, self.project)

    def is_own(self, package: dict) -> bool:
        """Whether a package of a declared name grants nothing but groups' membership and roles of the project (of
        its applications read, or that the configuration grants)."""
        return all(_group_of(scope) or (scope.get("scope") or {}).get("originId") in self.apps_by_sp
                   or origin_of(str((scope.get("role") or {}).get("originId"))) in self.labels
                   for scope in package.get("resourceRoleScopes") or [])

    def label(self, scope: dict, application: str) -> tuple[dict, str]:
        """A live grant's attributes and address part, as the configuration names it when it does (`application`:
        the package's, whose own roles are named without it)."""
        origin = str((scope.get("role") or {}).get("originId") or "")
        group = _group_of(scope)
        attributes = self.labels.get(origin_of(origin))
        if attributes is None and group:
            attributes = {"group": self.names.get(group, "group:" + group)[6:]}
        attributes = attributes or {"role": self._role_label(scope, origin, application)}
        return attributes, (f"group {attributes['group']}" if "group" in attributes else attributes["role"])

    def _role_label(self, scope: dict, origin: str, application: str) -> str:
        owner = self.apps_by_sp.get((scope.get("scope") or {}).get("originId"))
        part = owner[1].get(origin) if owner else None
        if part is None:
            return origin
        return role_label(part) if owner[0] == application else f"{owner[0]}/{role_label(part)}"

    def group_resources(self, found: dict, resources: dict, others) -> None:
        """The catalogs' group resources the project's packages use or want (plan/packages.live_group_resources)."""
        foreign = {(p["catalog"]["id"], group) for p in others if p.get("catalog")
                   for group in map(_group_of, p.get("resourceRoleScopes") or []) if group}
        group_names = {group_id: name[6:] for group_id, name in self.names.items() if name.startswith("group:")}
        live_group_resources(found, resources, self.catalog_names, self.used, foreign, group_names, self.desired)
