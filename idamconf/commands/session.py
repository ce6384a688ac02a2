"""What plan and apply share: load the configuration, pick the target, connect, survey the tenant."""

from __future__ import annotations

import asyncio
import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..config.load import read, read_documents
from ..lint import lint
from ..diagnostics import Diagnostic, DiagnosticError, errors
from ..graph import signed_in_early
from ..plan.model import Plan

# The Graph stack (httpx, kiota, msgraph-core) and the planning modules take a third of a second to import: they
# are imported while the configuration is being read, in the time a large one leaves this process waiting for the
# processes reading it (see `_graph_modules`), and not at all by --help or validate.


def run_async(coroutine):
    """asyncio.run, where the failures of the requests still in flight when one of them failed are not reported
    again: that one is the command's answer (one line, commands/__init__), and its siblings -- a plan sends its
    first reads side by side, and they all fail when the sign-in fails -- would otherwise each print a traceback
    ("Task exception was never retrieved", "unhandled exception during asyncio.run() shutdown")."""
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(_sibling_failure)
        return runner.run(coroutine)


def _sibling_failure(loop, context: dict) -> None:
    if "exception" not in context:  # asyncio's other news (a slow callback...) as usual
        loop.default_exception_handler(context)


@dataclass
class Survey:
    plan: Plan
    live: dict  # the live resources the plan was computed from
    target: object  # graph.connect.Target
    configuration: object
    root: Path
    digest: str  # of the configuration files
    home: str = ""  # where the configuration lives (record/home.py)
    rebind: bool = False  # --rebind-project: bind the project's record to this configuration
    again: object = None  # () -> awaitable (plan, live): the same survey, made again (apply, under its lease)
    vaults: object = None  # vault/vaults.Vaults: where client secrets are read and written

    def findings(self) -> list:
        """lint's findings for this environment (for the pull-request comment): computed only when asked for, over
        every application (a pull request's plan models only some: config/involved.py)."""
        configuration = self.configuration
        if configuration.partial:
            configuration = read(self.root)[0] or configuration
        return lint(configuration, read_documents(self.root), self.target.environment)

    @property
    def where(self) -> str:
        return f"{self.target.environment} — {self.target.description}"


async def surveyed(config_dir: Path, env: str | None, then, only: set[str] | None, timeout: float | None,
                   rebind: bool, base=None, write: bool = False, earlier: frozenset | None = None,
                   known=None, focus=None):
    """Plan against the environment, then `then(client, survey)` on the same connection, all within `timeout`.
    `rebind`: the project's record may name another configuration, or this one another project (--rebind-project).
    `base`: what was last applied (plan/drift.Base), to mark drift; a function of the configuration read (the
    configuration itself, for `idamconf drift`), or None. `write`: sign in as the identity that applies (apply);
    else as the one that only reads (workflow.target_for). `earlier`: with `only`, the access-package names the
    planned applications' files gave at the ref they changed since (workflow.survey). `known`, `focus`:
    config/load.read's."""
    try:
        early = []  # the reads idamconf.yaml alone decides, started while the files are read (graph/early.py)

        def meanwhile(project, long: bool) -> None:
            _graph_modules(project, env)
            if project is not None:
                from ..graph.early import early_reads, sign_in_early

                sign_in_early(project, env, write)
                if long and (only is None or earlier is None):  # (else read by name)
                    early.append(early_reads(project, env, write, timeout))

        with _kept_to_the_end():
            configuration, problems = read(config_dir, meanwhile=meanwhile, known=known, focus=focus,
                                             warnings=False)  # (shown only beside an error)
        early = early[0] if early else None
        if errors(problems) or configuration is None:
            if early is not None:
                early.stop()
            raise DiagnosticError(problems)
        from ..graph.connect import connect
        from ..record import configuration_home
        from ..graph.read_package_assignments import removal_warnings
        from ..plan.secrets_written import secrets_written
        from ..record.history import deletion_warnings
        from .moved_secrets import moved_warnings
        from ..vault.vaults import Vaults
        from ..workflow import survey, target_for

        target = target_for(configuration, env, write)
        home = configuration_home(Path(config_dir))
        vaults = Vaults(target, configuration.environments[target.environment], config_dir, configuration.project)
        async with connect(target, timeout) as client:
            async def again():
                with _kept_to_the_end():
                    return await survey(client, configuration, target, only, None if rebind else home,
                                        vaults=vaults, earlier=earlier)

            # The first survey marks drift against `base` (plan --base, idamconf drift); `again` (apply, under its
            # lease) is never given one, and apply takes no --base, so both of apply's plans are made alike.
            try:
                with _kept_to_the_end():
                    plan, live = await survey(client, configuration, target, only, None if rebind else home,
                                              base(configuration) if base else None, vaults=vaults,
                                              earlier=earlier, early=early)
                refused = secrets_written(plan)
                if refused:  # never written to the tenant, nor shown (plan/secrets_written.py)
                    raise DiagnosticError([_secret_written(configuration, *found) for found in refused])
                if plan.deletions:
                    plan = replace(plan, warnings=deletion_warnings(Path(config_dir), plan)
                                   + await removal_warnings(client, plan))
                plan = replace(plan, warnings=plan.warnings + moved_warnings(configuration, target.environment, plan))
                found = Survey(plan, live, target, configuration, Path(config_dir), configuration.digest, home, rebind,
                               again, vaults)
                _KEPT[:] = [found]
                return await then(client, found)
            finally:
                await vaults.close()
    finally:  # its sign-in is this command's own: no later command in this process (a test, `comment`) takes it
        signed_in_early.forget()


def _secret_written(configuration, change, path: str, kind: str) -> Diagnostic:
    """Where a change would write a secret-shaped value: its application's file, never the value."""
    app = next((app for app in configuration.applications if app.key == change.application), None)
    location = app.location if app is not None and app.location is not None else None
    return Diagnostic(f"{change.address}: {path} holds what looks like {kind}; secrets live only in the vault, and a "
                      "plan never writes one to the tenant nor shows it",
                      "remove it from the file and rotate it (it is in the repository's history); idamconf lint "
                      "names the key (security.secret-in-file)",
                      location.file if location else "", location.line if location else 0,
                      location.column if location else 0)


@contextmanager
def _kept_to_the_end():
    """For what is made inside, kept to the end of the command: a configuration, at 10,000 applications some 2.5
    million objects, none of them in a reference cycle; and a plan's survey, which makes the resources of both sides
    (some 260,000, with their attributes) while the tenant's pages it reads are freed. The cycle collector is paused
    while they are made, then told to leave them out of its later runs (gc.freeze), which then go through only what
    is made afterwards (an apply's requests). Paused, it finds nothing that reference counting does not free: each
    of its runs would go through the ~100,000 objects made since the last (cli.main's threshold; the pages freed
    meanwhile make room for more) and find almost nothing -- 15 runs, ~0.8 s of a no-change plan of 10,000
    applications, which found 37 objects in cycles (asyncio's and httpx's, from the requests: kept to the end).
    A caller that runs a command in its own process finds the collector switched on again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def _graph_modules(project, env: str | None) -> None:
    """The modules a plan or apply needs from here on; and when the environment's Graph is reached over HTTP (not
    the embedded emulator, which answers in-process), httpx's transport, which httpx imports only when the client is
    made and at its first request: 0.1 s that would otherwise come between the files' reading and that request."""
    import importlib

    names = ["idamconf.graph.connect", "idamconf.workflow", "idamconf.apply"]  # (not deepdiff: plan/diff.py)
    environment = project.environments.get(env or project.default_environment) if project is not None else None
    if environment is not None and not environment.emulator:
        names += ["httpcore", "anyio._backends._asyncio"]
    for name in names:
        importlib.import_module(name)


# The last survey, kept to the end of the process: a command exits once it has used it (cli._leave), and freeing a
# large one object by object (a plan of 10,000 applications: some 400,000) is work nobody waits for usefully.
_KEPT: list[Survey] = []
