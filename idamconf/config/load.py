"""Read a configuration directory: `idamconf.yaml` plus one file per application under `applications/`.

Every problem in every file is collected before anything is returned; the result is either a `Configuration` or a
`DiagnosticError` carrying all of them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError, errors
from . import confined, involved, known_files, schema, semantics, yamlfile
from .application import read_all
from .model import CatalogSettings, Configuration, Environment, Location

PROJECT_FILE = "idamconf.yaml"
APPLICATIONS_DIR = "applications"


def load_configuration(root: Path) -> Configuration:
    configuration, problems = read(root)
    if errors(problems) or configuration is None:
        raise DiagnosticError(problems)
    return configuration


def read(root: Path, meanwhile=None, known: known_files.Known | None = None, keep: bool = False,
         focus: involved.Focus | None = None, warnings: bool = True) -> tuple[Configuration | None, list[Diagnostic]]:
    """As `_read`. `warnings` False: the caller shows the problems only if one is an error (a plan, an apply), so a
    warning's line is not looked up when it is made -- its file read again and composed with positions, 0.8 s of the CPU of a
    no-change plan of the 10,000 synthetic applications, a third of which have one (docs/performance.md, session
    53); when there is an error, the configuration is read again, whole and from its files, placing them: the report
    is validate's."""
    if warnings:
        return _read(root, meanwhile, known, keep, focus)
    token = yamlfile.PLACING_WARNINGS.set(False)
    try:
        configuration, problems = _read(root, meanwhile, known, keep, focus)
    finally:
        yamlfile.PLACING_WARNINGS.reset(token)
    if not errors(problems):
        return configuration, problems
    return _read(root, keep=keep)


def _read(root: Path, meanwhile=None, known: known_files.Known | None = None,
          keep: bool = False, focus: involved.Focus | None = None) -> tuple[Configuration | None, list[Diagnostic]]:
    """The configuration (None if it has errors) and every problem found. `meanwhile(project, long)`: work for
    this process while the application files are read (`long`: if that takes long enough to overlap: other
    processes read them, or many are modelled from `known`: config/application.read_all); it is done in any
    case, given the project's settings (`project_configuration`: None if idamconf.yaml is broken or has an error).
    `known` (plan --changed-since): the files validate found valid (config/known_files.py), taken from there;
    `keep` (validate): when the configuration is valid, each file found valid is written down there. `focus` (with
    `known`: a pull request's plan): the configuration holds only the applications that plan needs
    (config/involved.py; `Configuration.partial`), and the checks across files are made over them -- the same
    answer as over all."""
    root = Path(root)
    problems: list[Diagnostic] = []
    project_path = root / PROJECT_FILE
    if linked := confined.linked_outside(root, project_path, _shown(project_path)):
        return None, [linked]  # never read
    if not project_path.is_file():
        return None, [Diagnostic(f"no {PROJECT_FILE} in {root}", f"run idamconf in a configuration directory or "
                                 f"pass --config-dir; see examples/{PROJECT_FILE}", str(project_path))]
    project_doc, project_digest = _checked(project_path, _shown(project_path), "project", problems)
    project = project_configuration(root, project_doc)
    defaults = project_doc.value.get("defaults", {}) if project_doc is not None else {}
    cwd = Path.cwd()  # once, not per file
    paths = application_files(root, problems)
    known = known.under(project_digest) if known is not None and project is not None else None
    # idamconf.yaml's own checks, before the files: `meanwhile` (what starts while they are read: a sign-in, early
    # reads) is given the project only if idamconf.yaml is valid, so nothing starts from an invalid one
    settled = [] if project is None else (semantics.check_project(project, project_doc)
                                          + confined.seeds_outside(root, project_doc, project.environments)
                                          + confined.seeds_not_files(root, project_doc, project.environments)
                                          + confined.state_links(root, project.environments, _shown))
    valid = None if errors(settled) else project
    files = read_all([(path, _shown(path, cwd)) for path in paths], project, defaults,
                     meanwhile and (lambda long: meanwhile(valid, long)), known, keep, focus)
    for found in files:
        problems += found.problems
    if project is None or errors(problems):  # every error at once: the valid files' own checks, and those across
        if project is not None:  # files that hold for any part of the configuration (names used twice...)
            valid = replace(project, applications=tuple(f.application for f in files if f.application is not None))
            problems += [check for found in files for check in found.checks] + settled
            problems += semantics.check_across(valid, whole=False)
        return None, problems
    digest = _digest([(project_path, project_digest), *((path, found.digest) for path, found in zip(paths, files))],
                     root)
    configuration = replace(project, applications=tuple(found.application for found in files if not found.aside),
                            digest=digest, partial=any(found.aside for found in files))
    problems += settled
    problems += [problem for found in files for problem in found.checks]
    across = semantics.check_across(configuration)
    problems += across
    if keep and not errors(problems):
        known_files.save(root, project_digest, [(found.digest, found.kept, _findings(found),
                                                 involved.summary(found.application, configuration))
                                                for found in files if found.kept is not None], clean=not across)
    return configuration, problems


def _findings(found) -> list | None:
    """What a file's own checks found, as validate keeps it (config/known_files.py): only for a file whose checks read
    nothing but it and the project's settings (semantics.self_contained)."""
    if not semantics.self_contained(found.application):
        return None
    return known_files.kept_findings(found.checks, found.application.location.file)


def _digest(files: list[tuple[Path, bytes]], root: Path) -> str:
    """Of every file the configuration is made of, its path and content (a saved plan records it). A path as its
    bytes on disk (os.fsencode): a file name may be any bytes, which str.encode refuses."""
    digest = hashlib.sha256()
    for path, content in sorted(files):
        digest.update(os.fsencode(_below(path, root)) + b"\0" + content)  # a name as the disk has it
    return digest.hexdigest()


def _below(path: Path, base: Path) -> str:
    """str(path.relative_to(base)); without pathlib parsing `base` again for each of 10,000 files when `path` is
    written below it (the files' paths are made from the configuration's directory), which is most of its time."""
    depth = len(base.parts)
    if path.parts[:depth] == base.parts:
        return os.sep.join(path.parts[depth:]) or "."
    return str(path.relative_to(base))


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
        document = yamlfile.load(path, _shown(path))[0] if path.is_file() else None
        return document if document is not None and document.value is not None else None

    applications = (parsed(path) for path in application_files(root, []))
    project_path = root / PROJECT_FILE
    project = None if confined.linked_outside(root, project_path, "") else parsed(project_path)
    return Documents(project, tuple(doc for doc in applications if doc is not None))


def project_configuration(root: Path, project: yamlfile.Document | None) -> Configuration | None:
    """The configuration of idamconf.yaml alone (no applications), or None if it is invalid: enough to grade lint's
    rules per environment while an application file is broken."""
    if project is None or not isinstance(project.value, dict) or schema.validate(project, "project"):
        return None
    return Configuration(root=str(root), project=project.value["project"],
                         default_environment=project.value.get("defaultEnvironment", "local"),
                         environments=_environments(project.value.get("environments", {}), project),
                         applications=(),
                         default_catalog=project.value.get("defaults", {}).get("catalog"),
                         catalogs=_catalogs(project.value.get("catalogs", {})))


def _catalogs(written: dict) -> dict:
    """idamconf.yaml's `catalogs:`, by folded name (Graph compares catalog names in any case)."""
    return {name.casefold(): CatalogSettings(settings.get("description"), settings.get("published", True),
                                             settings.get("externallyVisible", False))
            for name, settings in written.items()}


def application_files(root: Path, problems: list[Diagnostic]) -> list[Path]:
    directory = root / APPLICATIONS_DIR
    if not directory.is_dir():
        return []
    real_root = root.resolve()
    # A linked directory is not descended into, so below a directory that is itself inside the configuration only
    # a link can lead outside: resolving every path (a system call per component) is needed only then.
    inside = directory.resolve().is_relative_to(real_root)
    files = []
    # Sorted by the parts below `directory` (os.scandir names each entry `directory` + os.sep + ...); each path made
    # from its folder's, which is made once: parsing 10,000 whole paths again was most of this function's time.
    below, folders = len(str(directory)) + 1, {}
    for entry in sorted(_candidates(str(directory)), key=lambda entry: entry.path[below:].split(os.sep)):
        folder = entry.path[:-len(entry.name) - 1]
        parent = folders.get(folder) or folders.setdefault(folder, Path(folder))
        path = parent / entry.name
        if (not inside or entry.is_symlink()) and not _stays_inside(path, real_root, entry, problems):
            continue
        if entry.is_file():
            files.append(path)
        elif not entry.is_dir():  # named as an application file, and silently not read until session 51
            problems.append(Diagnostic("this is not a regular file (a link to nothing, a FIFO or a device), so it "
                                       "cannot be read", "make it the application's file, or remove it", _shown(path)))
    return files


def _stays_inside(path: Path, real_root: Path, entry, problems: list[Diagnostic]) -> bool:
    """Whether `path`, every link followed, is in the configuration; if not, the problem is said."""
    try:
        if path.resolve().is_relative_to(real_root):
            return True
        problems.append(confined.leads_outside("directory" if entry.is_dir() else "file", _shown(path)))
    except (OSError, RuntimeError):  # a loop of links (RuntimeError until Python 3.13), a name too long
        problems.append(Diagnostic("this file is a link that cannot be followed (a loop of links)",
                                   "remove the link, or point it at a file inside the configuration directory",
                                   _shown(path)))
    return False


def _candidates(directory: str):
    """Below `directory`, skipping hidden names: entries named *.yaml or *.yml, and linked directories (to refuse
    those leading outside). os.scandir knows each entry's type without a system call per file."""
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if os.path.splitext(entry.name)[1] in (".yaml", ".yml") or (entry.is_symlink() and entry.is_dir()):
                yield entry
            if entry.is_dir(follow_symlinks=False):
                yield from _candidates(entry.path)


def _shown(path: Path, cwd: Path | None = None) -> str:
    """The path as the user names it: relative to the working directory if it is below it, else whole."""
    try:
        return _below(path, cwd or Path.cwd())
    except ValueError:
        return str(path)


def _checked(path: Path, shown: str, schema_name: str, problems: list[Diagnostic]):
    """The file's document if it is valid (else None, its problems added), and the digest of its content."""
    document, found, digest = yamlfile.load_with_digest(path, shown)
    problems += found
    if document is None:
        return None, digest
    if document.value is None:
        problems.append(Diagnostic("the file is empty", f"describe one {schema_name} here", shown, 1, 1))
        return None, digest
    found = schema.validate(document, schema_name)
    problems += found
    return (None if found else document), digest


def _environments(raw: dict, document: yamlfile.Document) -> dict:
    environments = {}
    for name, settings in raw.items():
        settings = settings or {}
        emulator = settings.get("emulator", name == "local" and "graphUrl" not in settings)
        environments[name] = Environment(
            name=name, emulator=emulator, seed=settings.get("seed"), graph_url=settings.get("graphUrl"),
            tenant_id=settings.get("tenantId"), credential=settings.get("credential", "emulator" if emulator
                                                                         else "default"),
            client_id=settings.get("clientId"), read_client_id=settings.get("readClientId"),
            client_secret_env=settings.get("clientSecretEnv"),
            certificate_path=settings.get("certificatePath"), ca_bundle=settings.get("caBundle"), catalog=settings.get("catalog"),
            secret_files=settings.get("secretFiles"),
            secret_files_at=Location(document.file, ("environments", name, "secretFiles"), document.positions),
            tenant_size=settings.get("tenantSize", "none" if emulator else "S"),
            verified_domains=tuple(settings.get("verifiedDomains", ())),
            rules={rule: "off" if level is False else level for rule, level in settings.get("rules", {}).items()},
        )
    return environments
