"""Application files: each read and checked against the schema -- in several processes when there are many -- then
turned into the desired model and checked by the rules that need no other file.

A file's work depends on no other file, and parsing YAML is most of a large configuration's reading (10,000 files:
about 6 s in one process), so from PARALLEL_FROM files on the files are shared among processes (forked, on Linux:
they start in milliseconds and inherit what is imported). What comes back is small and quick to send: each file's
problems, the digest of its content and its document, whose value travels as `marshal` data (about a seventh of what
pickling the model cost, at either end); positions are looked up only when a message needs one
(`yamlfile.Positions`). The model is made here, as each share comes back, while the other processes still read.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from ..diagnostics import Diagnostic, errors
from ..surface import settings_of
from ..graph.uri_rules import PERSONAL
from . import involved, known_files, schema, semantics, yamlfile
from .access import default_duration, package_name
from .assignments import assignments_of
from .exposed import pre_authorized_of, scopes_of
from .overrides import overridden
from .packages import packages_of
from .permissions import api_permissions
from . import policy
from ..credentials.certificates import certificates_of
from ..credentials.client_secrets import client_secrets_of
from ..credentials.federated import federated_of
from ..saml.settings import saml_of
from .model import AccessPackage, AccessReview, Application, AppRole, Configuration, Location, role_id

PARALLEL_FROM = 400  # files; below this one process is done before others would have started
MAX_PROCESSES = 4
CHUNKS_PER_PROCESS = 4  # smaller shares even out processes that run slower than others


@dataclass(frozen=True)
class ApplicationFile:
    digest: bytes  # sha256 of the content ("" if unreadable)
    application: Application | None  # None if the file has errors
    problems: tuple[Diagnostic, ...]  # reading and schema problems
    checks: tuple[Diagnostic, ...] = ()  # the file's own semantic checks (see semantics.check_application)
    kept: str | None = None  # its value as JSON, for config/known_files.py (when asked for, and it can be)
    aside: bool = False  # kept by validate, and not modelled: the plan of some applications needs it not (involved.py)


def read_all(files: list[tuple[Path, str]], project: Configuration | None, defaults: dict,
             meanwhile=None, known: known_files.Known | None = None, keep: bool = False,
             focus: involved.Focus | None = None) -> list[ApplicationFile]:
    """Every (path, name shown) read, in order. `project`: the project's settings (None if idamconf.yaml is broken:
    then only the files' own syntax and schema are checked); `defaults`: its `defaults` mapping.
    `meanwhile(long)`: done while other processes read the files, or before the files are modelled from `known`
    (long: True: reading takes long enough for work started now to overlap it), or before reading them here
    (False). `known`: files validate found valid, whose values are taken from there (config/known_files.py);
    `keep`: each valid file's value is also given as JSON, for that cache. `focus` (with `known`: a plan of some
    applications): the kept files that plan need not model are set aside (config/involved.py)."""
    if known is not None:
        return _from_kept(files, project, defaults, meanwhile, known, keep, focus)
    meanwhile = meanwhile or (lambda parallel: None)
    processes = processes_for(len(files))
    if processes == 1:
        meanwhile(False)
        return [modelled(read_file(path, shown, keep), project, defaults) for path, shown in files]
    size = -(-len(files) // (processes * CHUNKS_PER_PROCESS))
    shares = [files[start:start + size] for start in range(0, len(files), size)]
    started = []  # whether `meanwhile` ran before the processes failed

    def once() -> None:
        started.append(True)
        meanwhile(True)

    try:
        return _in_processes(shares, processes, project, defaults, once, keep)
    except OSError:  # no processes to be had (limits, a sandbox): one is enough, only slower
        if not started:
            meanwhile(False)
        return [modelled(read_file(path, shown, keep), project, defaults) for path, shown in files]


def _from_kept(files: list[tuple[Path, str]], project, defaults: dict, meanwhile, known: known_files.Known,
               keep: bool, focus: involved.Focus | None) -> list[ApplicationFile]:
    """`read_all` where validate kept files: those not kept read as any other, the kept ones modelled from their
    values -- but those `focus` sets aside (config/involved.py), which are given as `ApplicationFile.aside`."""
    digests = _digests(files)
    entries = known.take([None if focus is not None and digest in focus.fresh else digest for digest in digests])
    rest = [file for file, entry in zip(files, entries) if entry is None]
    # modelling many takes seconds, though none is parsed: the reads idamconf.yaml decides start now, as they do
    # beside the processes -- unless the files not kept are read by processes: they start once those are forked
    # (there), as what starts is threads, which fork does not allow safely
    if meanwhile is not None and len(files) >= PARALLEL_FROM and processes_for(len(rest)) == 1:
        meanwhile(True)
        meanwhile = None
    others = iter(read_all(rest, project, defaults, meanwhile, keep=keep))
    read = [next(others) if entry is None else None for entry in entries]
    findings = known.findings(entries)
    aside = involved.set_aside(focus, known, entries, findings, read, project) \
        if focus is not None and project is not None and known.apart else set()
    values = known.values([None if index in aside else entry for index, entry in enumerate(entries)])
    return [found if found is not None else
            ApplicationFile(digest, None, (), known_files.diagnostics(kept, file[1]), aside=True) if index in aside
            else _unless_planned(_from_known(value, kept, file, digest, project, defaults), focus, file, project,
                                 defaults)
            for index, (found, value, kept, file, digest) in enumerate(zip(read, _let_go(values), findings, files,
                                                                            digests))]


def _unless_planned(found: ApplicationFile, focus: involved.Focus | None, file: tuple[Path, str], project,
                    defaults: dict) -> ApplicationFile:
    """A file modelled from what validate kept -- or, when its value is an application the plan of `focus` plans
    (involved.Focus: never taken from the cache), read from the file itself."""
    if focus is None or not focus.plans(found.application):
        return found
    return modelled(read_file(*file), project, defaults)


def _let_go(items: list):
    """Each item of `items`, dropped from the list as it is given: a file's value is let go once it is modelled."""
    for index, item in enumerate(items):
        items[index] = None
        yield item


def _from_known(value, findings: list | None, file: tuple[Path, str], digest: bytes, project,
                defaults: dict) -> ApplicationFile:
    """A file as validate kept it -- its value, and what its own checks found (None: not kept, they are made again)
    -- modelled; or, when the model cannot take the value kept (a cache that validate did not write:
    config/known_files.py), or the cache is damaged (`value` None), read from the file as any other."""
    if value is None:
        return modelled(read_file(*file), project, defaults)
    path, shown = file
    found = None if findings is None else known_files.diagnostics(findings, shown)
    read = _Read(digest, yamlfile.Document(shown, value, yamlfile.Positions(shown, None, path)), (), found=found)
    try:
        return modelled(read, project, defaults)
    except Exception:  # (only a kept value: a file's own value that the model refuses fails below, as always)
        return modelled(read_file(*file), project, defaults)


def _digests(files: list[tuple[Path, str]]) -> list[bytes | None]:
    """The sha256 of each file's content (None if it cannot be read: it is then read as any other, and its problem
    said)."""
    digests = []
    for path, _ in files:
        try:
            digests.append(hashlib.sha256(yamlfile.read_bytes(path)).digest())
        except OSError:
            digests.append(None)
    return digests


def processes_for(files: int) -> int:
    """How many processes read `files` application files on this machine."""
    if files < PARALLEL_FROM or not sys.platform.startswith("linux"):  # fork is safe and cheap on Linux only
        return 1
    cpus = len(os.sched_getaffinity(0))
    return max(1, min(cpus, MAX_PROCESSES, files // (PARALLEL_FROM // 2)))


def _in_processes(shares: list, processes: int, project, defaults: dict, meanwhile,
                  keep: bool = False) -> list[ApplicationFile]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    gc.freeze()  # the forked processes' collections then never touch (and so copy) the pages they inherit
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            done = pool.map(_read_share, shares, [keep] * len(shares))
            meanwhile()  # every process is forked by now (a fork pool starts them all at the first task)
            return [modelled(read, project, defaults) for share in done for read in share]
    except BrokenProcessPool as error:  # a process died (killed, out of memory): say so plainly
        raise OSError(f"a process reading the configuration stopped: {error}") from None
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class _Read:
    """One application file as read and checked against the schema; `document` is None if it has errors."""

    digest: bytes  # sha256 of the content ("" if unreadable)
    document: yamlfile.Document | None
    problems: tuple[Diagnostic, ...]
    kept: str | None = None  # the value as JSON, when asked for (config/known_files.py)
    found: tuple | None = None  # what its own checks find, where validate kept it (config/known_files.py)

    def __reduce__(self):  # to the process making the models: the value as marshal data (see the module's notes)
        document = self.document
        try:
            value = marshal.dumps(document.value) if document is not None else None
        except ValueError:  # not a YAML value this reader makes; pickled, then
            value = None
        if value is None:
            return _Read, (self.digest, document, self.problems, self.kept)
        return _arrived, (self.digest, document.file, value, document.positions, self.problems, self.kept)


def _arrived(digest: bytes, file: str, value: bytes, positions, problems: tuple, kept: str | None) -> _Read:
    return _Read(digest, yamlfile.Document(file, marshal.loads(value), positions), problems, kept)


def _read_share(files: list[tuple[Path, str]], keep: bool) -> list[_Read]:
    return [read_file(path, shown, keep) for path, shown in files]


def read_file(path: Path, shown: str, keep: bool = False) -> _Read:
    """One application file, read and checked against the schema; `keep`: its value also as JSON, if valid."""
    document, problems, digest = yamlfile.load_with_digest(path, shown)
    if document is not None and document.value is None:
        problems.append(Diagnostic("the file is empty", "describe one application here", shown, 1, 1))
    elif document is not None:
        problems += schema.validate(document, "application")
    valid = document is not None and document.value is not None and not errors(problems)
    kept = known_files.encoded(document.value) if keep and valid and not problems else None
    return _Read(digest, document if valid else None, tuple(problems), kept)


def modelled(read: _Read, project: Configuration | None, defaults: dict) -> ApplicationFile:
    """The model of a file read without errors, and the checks of `semantics.check_application`."""
    if read.document is None:
        return ApplicationFile(read.digest, None, read.problems)
    app = model(read.document, defaults)
    environments = tuple(read.document.value.get("overrides") or ())
    variants = {name: model(overridden(read.document, name), defaults) for name in environments}
    checks = [] if project is None else list(read.found) if read.found is not None else \
        file_checks(project, read.document, app, variants)
    if read.document.positions is not None:  # the positions its checks looked up are in them now: not kept for
        read.document.positions.forget()     # the plan's whole life (found again if a later message needs one)
    if variants:
        app = replace(app, variants=variants)
    return ApplicationFile(read.digest, app, read.problems, tuple(checks), read.kept)


def unchecked(document: yamlfile.Document, defaults: dict) -> Application:
    """The model of a valid application document with its environments' (`variants`), its own checks not made."""
    return modelled(_Read(b"", document, ()), None, defaults).application


def file_checks(project: Configuration, document: yamlfile.Document, app: Application, variants: dict) -> list:
    """What validate checks of one file: `semantics.check_application` of the application in each of its
    environments -- the base model where no override applies, each environment's own model where one does
    (config/overrides.py) -- and the organisation's rules, graded over them together (`new app` checks a new file
    so, with no variants)."""
    base = app
    plain = tuple(name for name in project.environments if app.in_environment(name) and name not in variants)
    if variants:
        base = replace(app, environments=plain or ("",))  # "" : no environment -- the file's own checks only
    checks = semantics.check_application(project, document, base)
    runs = [(document, app, plain)]  # the organisation's rules: each problem once, graded over every environment
    for name, variant in variants.items():
        written = overridden(document, name)
        checks += semantics.check_application(project, written, variant)
        runs.append((written, variant, (name,) if app.in_environment(name) else ()))
    return list(dict.fromkeys(checks + semantics.organisation_rules(project, runs)))


def model(document: yamlfile.Document, defaults: dict) -> Application:
    """The desired model of a valid application document."""
    raw = document.value
    name = raw["name"]
    key = raw.get("renamedFrom") or name  # what its roles' ids derive from: the name it was created under
    file, positions = document.file, document.positions
    codes = (raw.get("organisation", defaults.get("organisation")), raw.get("department", defaults.get("department")))
    roles = tuple(
        AppRole(
            id=role["id"].lower() if "id" in role else role_id(key, role["value"]) if "value" in role else "",
            value=role.get("value"),  # none: a SAML role, which names its id (semantics._roles)
            display_name=role["displayName"], description=role.get("description"),
            allowed_member_types=tuple(role.get("allowedMemberTypes", ["User"])), enabled=role.get("enabled", True),
            access_package=_access_package(role, raw, codes, Location(file, ("appRoles", index, "accessPackage"),
                                                                      positions)),
            location=Location(file, ("appRoles", index), positions),
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
        scopes=scopes_of(raw, Location(file, (), positions)), logo=raw.get("logo"),
        pre_authorized=pre_authorized_of(raw, Location(file, (), positions)),
        location=Location(file, ("name",), positions), settings=settings_of(raw),
        renamed_from=raw.get("renamedFrom"),
        app_id=raw["appId"].lower() if raw.get("appId") else None,
        access_token_version=raw.get("api", {}).get("requestedAccessTokenVersion",
                                                    2 if raw.get("signInAudience") in PERSONAL else 1),
        api_permissions=api_permissions(raw, file, positions),
        assignments=assignments_of(raw, file, positions),
        service_principal_owners=_service_principal_owners(raw),
        federated_credentials=federated_of(raw, Location(file, (), positions)),
        certificates=certificates_of(raw, Location(file, (), positions)),
        access_packages=packages_of(raw, Location(file, (), positions), default_duration),
        saml=saml_of(raw, Location(file, (), positions)),
        client_secrets=client_secrets_of(raw, Location(file, (), positions)),
    )


def _service_principal_owners(raw: dict) -> tuple[str, ...] | None:
    owners = raw.get("servicePrincipal", {}).get("owners")
    return None if owners is None else tuple(owners)


def _access_package(role: dict, app: dict, codes: tuple, location: Location) -> AccessPackage | None:
    raw = role.get("accessPackage")
    if raw is None:
        return None
    return AccessPackage(
        name=raw.get("name") or package_name(*codes, app["name"], role["displayName"]),
        description=raw.get("description") or f"Grants the {role['displayName']} role of {app['displayName']}.",
        catalog=raw.get("catalog"), policies=policy.policies(raw, location, default_duration),
        hidden=raw.get("hidden", False), location=location,
    )
