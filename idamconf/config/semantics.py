"""Checks across fields and files that a JSON Schema cannot express."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from .access import nearest_schedules, review_schedule, rule_findings
from .model import Configuration
from .yamlfile import Document


def check(configuration: Configuration, project: Document, applications: list[Document]) -> list[Diagnostic]:
    problems = _default_environment(configuration, project)
    problems += _environment_settings(configuration, project)
    names: dict[str, Document] = {}
    packages: dict[tuple, tuple] = {}
    by_name = {app.name: app for app in configuration.applications}
    for document in applications:
        problems += _application(document, configuration, names)
        app = by_name[document.value["name"]]
        problems += _access_packages(document, app, configuration, packages)
        problems += rule_findings(configuration, document, app)
    return problems


def _access_packages(document: Document, app, configuration: Configuration, seen: dict) -> list[Diagnostic]:
    """Package names unique per catalog; review frequencies Graph can represent."""
    problems = []
    for index, role in enumerate(app.app_roles):
        package = role.access_package
        if package is None:
            continue
        path = ("appRoles", index, "accessPackage")
        if "User" not in role.allowed_member_types:
            problems.append(document.diagnostic(path, f"role '{role.value}' cannot be granted to people "
                                                "(allowedMemberTypes has no User), so it cannot have an access package",
                                                "add User to allowedMemberTypes, or remove the accessPackage block"))
        for environment in configuration.environments:
            key = (configuration.catalog_for(environment, package), package.name)
            first = seen.setdefault(key, (document, path, environment))
            if first[:2] != (document, path) and first[2] == environment:
                line = first[0].where(first[1])[0]
                problems.append(document.diagnostic(path, f"access package '{package.name}' in catalog '{key[0]}' is "
                                                    f"also declared at {first[0].file}:{line}",
                                                    "give each role its own access package name"))
                break
        if package.review and review_schedule(package.review.frequency_days) is None:
            days = package.review.frequency_days
            nearest = " or ".join(f"{d} ({review_schedule(d).label})" for d in nearest_schedules(days))
            problems.append(document.diagnostic(path + ("accessReview", "frequencyDays"), f"Graph cannot repeat a "
                                                f"review every {days} days: reviews recur weekly or monthly",
                                                f"use {nearest}"))
    return problems


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
        needs = {"client-secret": ("tenantId", "clientId", "clientSecretEnv"),
                 "certificate": ("tenantId", "clientId", "certificatePath"),
                 "workload-identity": ("tenantId", "clientId")}.get(environment.credential, ())
        raw = (project.value.get("environments") or {}).get(name) or {}
        for key in needs:
            if key not in raw:
                problems.append(project.diagnostic(path, f"credential '{environment.credential}' needs {key}",
                                                   f"add {key} to environment '{name}'"))
    return problems


def _application(document: Document, configuration: Configuration, names: dict) -> list[Diagnostic]:
    raw = document.value
    problems = []
    first = names.setdefault(raw["name"], document)
    if first is not document:
        line = first.where(("name",))[0]
        problems.append(document.diagnostic(("name",), f"application name '{raw['name']}' is already used in "
                                            f"{first.file}:{line}", "give each application a unique name"))
    for index, environment in enumerate(raw.get("environments", [])):
        if environment not in configuration.environments:
            known = ", ".join(configuration.environments)
            problems.append(document.diagnostic(("environments", index), f"unknown environment '{environment}'",
                                                f"use one defined in idamconf.yaml: {known}"))
    problems += _roles(document, raw["name"])
    return problems


def _roles(document: Document, application: str) -> list[Diagnostic]:
    from .model import role_id

    problems, values, ids = [], {}, {}
    for index, role in enumerate(document.value.get("appRoles", [])):
        value = role["value"]
        if value in values:
            problems.append(document.diagnostic(("appRoles", index, "value"), f"role value '{value}' is used twice "
                                                f"(also appRoles[{values[value]}])", "give each role its own value"))
        values.setdefault(value, index)
        identifier = role.get("id", role_id(application, value)).lower()
        if identifier in ids:
            problems.append(document.diagnostic(("appRoles", index, "id"), f"role id {identifier} is used twice "
                                                f"(also appRoles[{ids[identifier]}])", "give each role its own id"))
        ids.setdefault(identifier, index)
    return problems
