"""Read a configuration directory: `idamconf.yaml` plus one file per application under `applications/`.

Every problem in every file is collected before anything is returned; the result is either a `Configuration` or a
`DiagnosticError` carrying all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError, errors
from . import schema, semantics, yamlfile
from .access import package_name
from .model import AccessPackage, AccessReview, Application, AppRole, Configuration, Environment, Location, role_id

PROJECT_FILE = "idamconf.yaml"
APPLICATIONS_DIR = "applications"


def load_configuration(root: Path) -> Configuration:
    configuration, problems = read(root)
    if errors(problems) or configuration is None:
        raise DiagnosticError(problems)
    return configuration


def read(root: Path) -> tuple[Configuration | None, list[Diagnostic]]:
    root = Path(root)
    problems: list[Diagnostic] = []
    project_path = root / PROJECT_FILE
    if not project_path.is_file():
        return None, [Diagnostic(f"no {PROJECT_FILE} in {root}", f"run idamconf in a configuration directory or "
                                 f"pass --config-dir; see examples/{PROJECT_FILE}", str(project_path))]
    project_doc = _checked(project_path, _shown(root, project_path), "project", problems)
    cwd = Path.cwd()  # once, not per file
    documents = [_checked(path, _shown(root, path, cwd), "application", problems)
                 for path in application_files(root, problems)]
    documents = [doc for doc in documents if doc is not None]
    if project_doc is None or errors(problems):
        return None, problems
    defaults = project_doc.value.get("defaults", {})
    configuration = Configuration(
        root=str(root),
        project=project_doc.value["project"],
        default_environment=project_doc.value.get("defaultEnvironment", "local"),
        environments=_environments(project_doc.value.get("environments", {})),
        applications=tuple(_application(doc, defaults) for doc in documents),
        default_catalog=defaults.get("catalog"),
    )
    problems += semantics.check(configuration, project_doc, documents)
    return configuration, problems


@dataclass(frozen=True)
class Documents:
    """The YAML of a configuration directory, with positions, before any schema check (for lint)."""

    project: yamlfile.Document | None
    applications: tuple[yamlfile.Document, ...]


def read_documents(root: Path) -> Documents:
    """Every file's YAML as written, even where the schema refuses it, so that lint can explain a key the schema
    only calls unknown. Unreadable or empty files are left out: `read` reports them."""
    root = Path(root)

    def parsed(path: Path):
        document = yamlfile.load(path, _shown(root, path))[0] if path.is_file() else None
        return document if document is not None and document.value is not None else None

    applications = (parsed(path) for path in application_files(root, []))
    return Documents(parsed(root / PROJECT_FILE), tuple(doc for doc in applications if doc is not None))


def project_configuration(root: Path, project: yamlfile.Document | None) -> Configuration | None:
    """The configuration of idamconf.yaml alone (no applications), or None if it is invalid: enough to grade lint's
    rules per environment while an application file is broken."""
    if project is None or not isinstance(project.value, dict) or schema.validate(project, "project"):
        return None
    return Configuration(root=str(root), project=project.value["project"],
                         default_environment=project.value.get("defaultEnvironment", "local"),
                         environments=_environments(project.value.get("environments", {})), applications=(),
                         default_catalog=project.value.get("defaults", {}).get("catalog"))


def configuration_files(root: Path) -> list[Path]:
    """Every file whose content the configuration is made of (for a saved plan's digest)."""
    return [Path(root) / PROJECT_FILE, *application_files(Path(root), [])]


def application_files(root: Path, problems: list[Diagnostic]) -> list[Path]:
    directory = root / APPLICATIONS_DIR
    if not directory.is_dir():
        return []
    real_root = root.resolve()
    # rglob never descends into a linked directory, so below a directory that is itself inside the configuration
    # only a link can lead outside: resolving every path (a system call per component) is needed only then.
    inside = directory.resolve().is_relative_to(real_root)
    depth = len(root.parts)
    files = []
    for path in sorted(directory.rglob("*")):
        if any(part.startswith(".") for part in path.parts[depth:]):
            continue
        if path.suffix not in {".yaml", ".yml"} and not (path.is_symlink() and path.is_dir()):
            continue
        if (not inside or path.is_symlink()) and not path.resolve().is_relative_to(real_root):
            what = "directory" if path.is_dir() else "file"
            problems.append(Diagnostic(f"this {what} links outside the configuration directory",
                                       f"copy the {what} into the configuration directory instead of linking to it",
                                       _shown(root, path)))
            continue
        if path.is_file():
            files.append(path)
    return files


def _shown(root: Path, path: Path, cwd: Path | None = None) -> str:
    try:
        return str(path.relative_to(cwd or Path.cwd()))
    except ValueError:
        return str(path)


def _checked(path: Path, shown: str, schema_name: str, problems: list[Diagnostic]):
    document, found = yamlfile.load(path, shown)
    problems += found
    if document is None:
        return None
    if document.value is None:
        problems.append(Diagnostic("the file is empty", f"describe one {schema_name} here", shown, 1, 1))
        return None
    found = schema.validate(document, schema_name)
    problems += found
    return None if found else document


def _environments(raw: dict) -> dict:
    environments = {}
    for name, settings in raw.items():
        settings = settings or {}
        emulator = settings.get("emulator", name == "local" and "graphUrl" not in settings)
        environments[name] = Environment(
            name=name, emulator=emulator, seed=settings.get("seed"), graph_url=settings.get("graphUrl"),
            tenant_id=settings.get("tenantId"), credential=settings.get("credential", "emulator" if emulator
                                                                         else "default"),
            client_id=settings.get("clientId"), client_secret_env=settings.get("clientSecretEnv"),
            certificate_path=settings.get("certificatePath"), catalog=settings.get("catalog"),
            tenant_size=settings.get("tenantSize", "none" if emulator else "S"),
            rules={rule: "off" if level is False else level for rule, level in settings.get("rules", {}).items()},
        )
    return environments


def _application(document: yamlfile.Document, defaults: dict) -> Application:
    raw = document.value
    name = raw["name"]

    def at(*path) -> Location:
        return Location(document.file, *document.where(path))

    codes = (raw.get("organisation", defaults.get("organisation")), raw.get("department", defaults.get("department")))
    roles = tuple(
        AppRole(
            id=role.get("id", role_id(name, role["value"])).lower(), value=role["value"],
            display_name=role["displayName"], description=role.get("description"),
            allowed_member_types=tuple(role.get("allowedMemberTypes", ["User"])), enabled=role.get("enabled", True),
            access_package=_access_package(role, raw, codes, lambda *p, i=index: at("appRoles", i, "accessPackage", *p)),
            location=at("appRoles", index),
        )
        for index, role in enumerate(raw.get("appRoles", []))
    )
    return Application(
        name=name, display_name=raw["displayName"], owners=tuple(raw["owners"]),
        description=raw.get("description"), sign_in_audience=raw.get("signInAudience", "AzureADMyOrg"),
        web_redirect_uris=tuple(raw.get("web", {}).get("redirectUris", [])),
        spa_redirect_uris=tuple(raw.get("spa", {}).get("redirectUris", [])),
        identifier_uris=tuple(raw.get("identifierUris", [])), tags=tuple(raw.get("tags", [])),
        environments=tuple(raw["environments"]) if "environments" in raw else None, app_roles=roles,
        location=at("name"), owner_locations=tuple(at("owners", i) for i in range(len(raw["owners"]))),
    )


def _access_package(role: dict, app: dict, codes: tuple, at) -> AccessPackage | None:
    raw = role.get("accessPackage")
    if raw is None:
        return None
    review = raw.get("accessReview")
    requestors = raw.get("requestors", "allMembers")
    return AccessPackage(
        name=raw.get("name") or package_name(*codes, app["name"], role["displayName"]),
        description=raw.get("description") or f"Grants the {role['displayName']} role of {app['displayName']}.",
        catalog=raw.get("catalog"), approvers=tuple(raw["approvers"]),
        approver_justification=raw.get("approverJustificationRequired", True),
        auto_deny_days=raw.get("autoDenyDays", 14),
        requestors=None if requestors == "allMembers" else tuple(
            f"group:{item['group'].lower()}" if isinstance(item, dict) else item for item in requestors),
        assignment_days=raw.get("assignmentDays"),
        review=None if review is None else AccessReview(
            reviewers=tuple(review["reviewers"]), frequency_days=review["frequencyDays"],
            duration_days=review.get("durationDays", 14), unreviewed=review.get("unreviewed", "remove"),
            reviewer_locations=tuple(at("accessReview", "reviewers", i) for i in range(len(review["reviewers"]))),
        ),
        location=at(), approver_locations=tuple(at("approvers", i) for i in range(len(raw["approvers"]))),
        requestor_locations=tuple(at("requestors", i) for i in range(len(requestors)))
        if requestors != "allMembers" else (),
    )
