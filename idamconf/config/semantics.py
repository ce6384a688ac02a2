"""Checks across fields and files that a JSON Schema cannot express."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..graph.clouds import graph_url_problem, is_loopback
from ..graph.limits import DAYS_IN, review_period_days
from . import assignments, exposed, logo, permissions, policy, tenant_rules
from . import packages as own_packages
from ..credentials import certificates, client_secrets, federated
from ..saml import rules as saml_rules
from .access import nearest_schedules, package_checks, review_schedule, rule_findings
from .model import APP_ID, TENANT_ID, Application, Configuration, Location
from .yamlfile import Document, render_path
from ..vault.files import secret_files_problems


def check_project(configuration: Configuration, project: Document) -> list[Diagnostic]:
    """The project file's own settings."""
    return _default_environment(configuration, project) + _environment_settings(configuration, project)


def check_application(configuration: Configuration, document: Document, app: Application) -> list[Diagnostic]:
    """One application file, on its own (`configuration` needs only the project's settings): its environments, its
    roles, its access packages, its secrets. The organisation's rules on its packages and secrets are graded across
    its environments' models together (`organisation_rules`)."""
    return _application(document, configuration, app) + _access_packages(document, app) + \
        own_packages.check(document, app) + assignments.check(document, app) + \
        tenant_rules.check(configuration, document, app) + permissions.check_file(document, app) + \
        exposed.check(document, app) + logo.check(configuration, document, app) + \
        federated.check(document, app.federated_credentials) + \
        certificates.check(configuration.root, document, app.certificates) + \
        saml_rules.check(configuration.root, document, app.saml, app.sign_in_audience) + \
        client_secrets.check(configuration, document, app)


def organisation_rules(configuration: Configuration, runs) -> list[Diagnostic]:
    """The organisation's rules validate grades -- its access packages' and `secret.lifetime` -- on the application
    as each environment has it (`runs`: config/access.rule_findings), each problem once at the strictest severity."""
    return rule_findings(configuration, runs, lambda app: [*package_checks(app), *client_secrets.lifetime_checks(app)])


def self_contained(app: Application) -> bool:
    """Whether `check_application`'s answer for this application depends on nothing but its file and the
    project's settings, in every environment: its logo, certificates and SAML metadata are other files, and a
    certificate's expiry is compared with the day (config/known_files.py keeps only such answers). A check that
    reads anything else must be named here."""
    return all(not (variant.logo or variant.certificates or variant.saml)
               for variant in (app, *app.variants.values()))


def check_across(configuration: Configuration, whole: bool = True) -> list[Diagnostic]:
    """What no file shows on its own: an application name used twice, an access package name used twice in one
    catalog. The positions of the applications and packages concerned are looked up only for such a message.
    `whole`: the configuration is all there; else (some files have errors: config/load.py) only what holds of any
    part of it is checked -- a name used twice is so whatever the other files say, while an API or a role another
    file should offer may be in a file that did not read."""
    problems = []
    names: dict[str, Application] = {}
    packages: dict[tuple, tuple] = {}  # (catalog, name, environment) -> (package, whether it is its renamedFrom)
    catalogs: dict[str, tuple[str, Location]] = {}  # folded name -> (its first spelling, where)
    keys: dict[str, Application] = {}
    for app in configuration.applications:
        first = names.setdefault(app.name, app)
        if first is not app:
            problems.append(_at(app.location, f"application name '{app.name}' is already used in "
                                f"{first.location.file}:{first.location.line}", "give each application a unique name"))
        elif keys.setdefault(app.key, app) is not app:
            problems += [_same_key(keys[app.key], app)]
        for environment in configuration.environments:  # each environment's values (config/overrides.py)
            variant = app.for_environment(environment)
            for package in variant.packages:
                problems += _package_across(configuration, environment, package, packages, catalogs)
    problems += _identifier_uris_across(configuration) + _app_ids_across(configuration) + \
        client_secrets.check_across(configuration)
    if whole:
        problems += own_packages.check_across(configuration) + permissions.check_across(configuration) + \
            exposed.check_across(configuration)
    return list(dict.fromkeys(problems))


def _same_key(first: Application, app: Application) -> Diagnostic:
    """Two applications that would be one in the tenant: a name and another's renamedFrom (its name when created)."""
    renamed = app if app.renamed_from else first
    other = first if renamed is app else app
    return _at(renamed.location.at("renamedFrom"), f"renamedFrom: '{renamed.renamed_from}' names the application "
               f"{other.name} of {other.location.file}:{other.location.line}, which is another application",
               "renamedFrom names the name this application had when it was created; give each application its own")


def _app_ids_across(configuration: Configuration) -> list[Diagnostic]:
    """Two files adopting one application (the same appId in one environment)."""
    problems, holders = [], {}
    for base in configuration.applications:
        for name in configuration.environments:
            app = base.for_environment(name)
            if not app.app_id or not app.in_environment(name):
                continue
            first = holders.setdefault((name, app.app_id), app)
            if first is not app and first.name != app.name:
                problems.append(_at(app.location.at("appId"), f"appId {app.app_id} is also adopted by application "
                                    f"{first.name} ({first.location.file}) in environment {name}",
                                    "one application file per application: remove one of the two"))
    return problems


def _identifier_uris_across(configuration: Configuration) -> list[Diagnostic]:
    """Graph refuses an identifier URI another application of the tenant holds (compared case-insensitively);
    URIs naming {appId} are each application's own."""
    problems, holders = [], {}  # (environment, URI) -> the application that declares it first
    for base in configuration.applications:
        for name, environment in configuration.environments.items():
            app = base.for_environment(name)
            if not app.in_environment(name):
                continue
            for index, uri in enumerate(app.identifier_uris):
                if APP_ID in uri:
                    continue
                key = (name, uri.replace(TENANT_ID, environment.tenant_id or TENANT_ID).lower())
                first = holders.setdefault(key, app)
                if first is not app:
                    problems.append(_at(app.location.at("identifierUris", index), f"identifier URI '{uri}' is also "
                                        f"declared by application {first.name} ({first.location.file}): Graph "
                                        "refuses a URI another application of the tenant holds",
                                        "give each application its own identifier URIs, e.g. api://{appId}"))
    return problems


def _package_across(configuration: Configuration, environment: str, package, packages: dict,
                    catalogs: dict) -> list[Diagnostic]:
    """An access package's name used twice in one catalog, or its catalog spelled in two ways. Names are compared
    as Graph compares them, case-insensitively: a look-up by name finds either spelling."""
    catalog = configuration.catalog_for(environment, package)
    spelling, where = catalogs.setdefault(catalog.casefold(), (catalog, package.location))
    if spelling != catalog:
        return [_at(package.location, f"catalog '{catalog}' is also written '{spelling}' (at {where.file}:"
                    f"{where.line}); Graph compares catalog names case-insensitively, so they are one catalog",
                    f"write the catalog's name one way everywhere, e.g. '{spelling}'")]
    problems = []
    for name, former in ((package.name, False), (package.renamed_from, True)):  # (renamedFrom: a package of its own's)
        seen = packages.setdefault((catalog.casefold(), name.casefold(), environment), (package, former)) \
            if name is not None else (package, former)
        if seen[0].location == package.location:  # itself (its name and renamedFrom alike, or another environment)
            continue
        if former or seen[1]:
            renamed, other = (package, seen[0]) if former else (seen[0], package)
            problems.append(_former_name(renamed, catalog, other.location))
        else:
            where = seen[0].location
            problems.append(_at(package.location, f"access package '{package.name}' in catalog '{catalog}' is also "
                                f"declared at {where.file}:{where.line} (names are compared case-insensitively, as "
                                "Graph does)", "give each access package its own name"))
    return problems


def _former_name(package, catalog: str, other: Location) -> Diagnostic:
    """A package of its own renamed from a name another package of the catalog is given, or was also renamed from,
    in the same change. A plan knows a package of its own by its name -- the one it has, or the one it had
    (renamedFrom) -- so the live package of that name would be either of the two: two packages swapping names, or a
    name given up and taken at once, cannot be told apart (and Graph refuses a name the catalog still holds). Done in
    steps, each is plain. (Packages on roles are known by their role, whatever their names: apply swaps theirs in
    one change -- apply_access.let_go.)"""
    return _at(package.at(("renamedFrom",)), f"access package '{package.name}' in catalog '{catalog}' is renamed from "
               f"'{package.renamed_from}', which the access package at {other.file}:{other.line} is also named, or "
               "renamed from: idamconf knows a package of its own by its name, so it cannot tell the two apart in one "
               "change (names are compared case-insensitively, as Graph does)",
               "rename in separate changes, applying each, and remove a renamedFrom once its rename is applied: to "
               "swap two packages' names, rename one to a name no package has, apply; give its old name to the "
               "other, apply; then give that one's old name to the first, apply")


def _at(location: Location, summary: str, fix: str) -> Diagnostic:
    return Diagnostic(summary, fix, location.file, location.line, location.column, render_path(location.path))


def _access_packages(document: Document, app: Application) -> list[Diagnostic]:
    """Packages only for roles people can hold; review frequencies Graph can represent."""
    problems = []
    for index, role in enumerate(app.app_roles):
        package = role.access_package
        if package is None:
            continue
        path = ("appRoles", index, "accessPackage")
        problems += policy.check(document, document.value["appRoles"][index]["accessPackage"], package, path)
        if "User" not in role.allowed_member_types:
            problems.append(document.diagnostic(path, f"role '{role.label}' cannot be granted to people "
                                                "(allowedMemberTypes has no User), so it cannot have an access package",
                                                "add User to allowedMemberTypes, or remove the accessPackage block"))
        for written in package.policies:
            problems += _review_frequency(document, path + written.path + ("accessReview",), written.review)
    for index, package in enumerate(app.access_packages):
        for written in package.policies:
            problems += _review_frequency(document, ("accessPackages", index) + written.path + ("accessReview",),
                                          written.review)
    return problems


def _review_frequency(document: Document, path: tuple, review) -> list[Diagnostic]:
    if review is None:
        return []
    if review_schedule(review.frequency_days) is None:
        days = review.frequency_days
        nearest = " or ".join(f"{d} ({review_schedule(d).label})" for d in nearest_schedules(days))
        return [document.diagnostic(path + ("frequencyDays",), f"Graph cannot repeat a review every {days} days: "
                                    "reviews recur weekly or monthly", f"use {nearest}")]
    return _review_duration(document, path, review)


def _review_duration(document: Document, path: tuple, review) -> list[Diagnostic]:
    """Graph refuses a review that stays open longer than its recurrence interval (graph/limits.py [reviews])."""
    schedule = review_schedule(review.frequency_days)
    longest = review_period_days(schedule.pattern, schedule.interval)
    if review.duration_days <= longest:
        return []
    counted = "" if schedule.pattern == "weekly" else f" (a month counts {DAYS_IN['absoluteMonthly']} days, " \
                                                        "February's, so that no review overlaps the next)"
    return [document.diagnostic(path + ("durationDays",), f"each review stays open {review.duration_days} days, "
                                f"longer than it recurs ({schedule.label}): Graph refuses it",
                                f"use durationDays of at most {longest}{counted}, or review less often")]


def _default_environment(configuration: Configuration, project: Document) -> list[Diagnostic]:
    if configuration.default_environment in configuration.environments:
        return []
    known = ", ".join(configuration.environments)
    return [project.diagnostic(("defaultEnvironment",), f"'{configuration.default_environment}' is not an environment "
                               f"defined here", f"choose one of {known}, or define it under environments")]


def _environment_settings(configuration: Configuration, project: Document) -> list[Diagnostic]:
    problems = []
    for name, environment in configuration.environments.items():
        path = ("environments", name)
        if environment.emulator and environment.graph_url:
            problems.append(project.diagnostic(path, "both emulator: true and graphUrl are set",
                                               "keep emulator: true for the embedded emulator, or graphUrl for a "
                                               "tenant or a served emulator"))
        if not environment.emulator and not environment.graph_url:
            problems.append(project.diagnostic(path, "no graphUrl for a non-emulator environment",
                                               "add graphUrl: https://graph.microsoft.com/v1.0"))
        problems += _graph_url(project, path, environment) + secret_files_problems(configuration, project, name)
        needs = {"client-secret": ("tenantId", "clientId", "clientSecretEnv"),
                 "certificate": ("tenantId", "clientId", "certificatePath"),
                 "workload-identity": ("tenantId", "clientId")}.get(environment.credential, ())
        raw = (project.value.get("environments") or {}).get(name) or {}
        for key in needs:
            if key not in raw:
                problems.append(project.diagnostic(path, f"credential '{environment.credential}' needs {key}",
                                                   f"add {key} to environment '{name}'"))
    return problems


def _graph_url(project: Document, path: tuple, environment) -> list[Diagnostic]:
    """The tenant's token goes only to Microsoft Graph; the emulator's made-up one only to loopback (graph/clouds)."""
    if not environment.graph_url or environment.emulator:
        return []
    problem = graph_url_problem(environment.graph_url, environment.credential)
    problems = [project.diagnostic(path + ("graphUrl",), *problem)] if problem else []
    if environment.ca_bundle and not is_loopback(environment.graph_url):
        problems.append(project.diagnostic(path + ("caBundle",), "caBundle is only for a served emulator on loopback "
                                           "(https://127.0.0.1:PORT/v1.0): a configuration never decides which CA "
                                           "Microsoft Graph's certificate may come from",
                                           "remove caBundle; Graph is checked against the system's trust store"))
    return problems


def _application(document: Document, configuration: Configuration, app: Application) -> list[Diagnostic]:
    raw = document.value
    problems = []
    for index, environment in enumerate(raw.get("environments", [])):
        if environment not in configuration.environments:
            known = ", ".join(configuration.environments)
            problems.append(document.diagnostic(("environments", index), f"unknown environment '{environment}'",
                                                f"use one defined in idamconf.yaml: {known}"))
    listed = raw.get("environments")
    for environment in raw.get("overrides") or {}:
        if environment not in configuration.environments:
            problems.append(document.diagnostic(("overrides", environment), f"unknown environment '{environment}'",
                                                f"use one defined in idamconf.yaml: "
                                                f"{', '.join(configuration.environments)}", key=True))
        elif listed is not None and environment not in listed:
            problems.append(document.diagnostic(("overrides", environment), f"the application is not in environment "
                                                f"'{environment}' (see environments)", f"add {environment} to "
                                                "environments, or remove its overrides", key=True))
    problems += _roles(document, app)
    return problems


def _roles(document: Document, app: Application) -> list[Diagnostic]:
    problems, values, ids = [], {}, {}
    for index, role in enumerate(app.app_roles):
        if not role.id:  # nothing to derive it from
            problems.append(document.diagnostic(("appRoles", index), f"role '{role.display_name}' has neither a "
                                                "value nor an id: idamconf derives a role's id from its value",
                                                "add the role's value, or (a SAML role such as User or "
                                                "msiam_access, never sent as a claim) its id: a GUID"))
            continue
        if role.value is not None and role.value in values:
            problems.append(document.diagnostic(("appRoles", index, "value"), f"role value '{role.value}' is used "
                                                f"twice (also appRoles[{values[role.value]}])",
                                                "give each role its own value"))
        values.setdefault(role.value, index)
        if role.id in ids:
            problems.append(document.diagnostic(("appRoles", index, "id"), f"role id {role.id} is used twice "
                                                f"(also appRoles[{ids[role.id]}])", "give each role its own id"))
        ids.setdefault(role.id, index)
    return problems
