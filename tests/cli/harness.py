"""Drive the CLI as a user does, and look inside the emulated tenant to check what it holds."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import functools

import typer.testing
from typer.testing import CliRunner

from idamconf.cli import app

# typer's runner builds click's command from every command's signature at each invoke (~9 ms, 8 % of the suite's
# CPU over its ~2,900 invocations); the command is the same each time, so it is built once per test process.
typer.testing._get_command = functools.cache(typer.testing._get_command)
runner = CliRunner()
EXAMPLE_FILES = sorted(path.name for path in (Path(__file__).resolve().parents[2] / "examples" / "applications")
                       .glob("*.yaml"))
EXAMPLE_APPLICATIONS = {name.removesuffix(".yaml") for name in EXAMPLE_FILES}  # each file is named as its app
EXAMPLES_TO_ADD = 129  # the resources a plan of examples/ against an empty tenant adds (tests/cli/test_scenarios.py)


@dataclass
class Result:
    code: int
    out: str
    err: str


def idamconf(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def plan(project: Path, *extra: str) -> Result:
    return idamconf("plan", "-C", str(project), "--no-colour", *extra)


def apply(project: Path, *extra: str) -> Result:
    return idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour", *extra)


def refused_by_plan_and_apply(project: Path, first: str) -> None:
    """Both plan and apply refuse the configuration, exit 1, with `first` as the start of what they say."""
    for command in (plan, apply):
        result = command(project)
        assert result.code == 1, result.out
        assert result.err.startswith(first), result.err


def tenant(project: Path, keyed: bool = False) -> dict:
    """Everything in the embedded tenant, read straight from its SQLite state: objects by kind (a list, or with
    `keyed` a dict by storage key), and the links between them."""
    import sqlite3

    db = sqlite3.connect(project / ".idamconf" / "local.db")
    rows = db.execute("SELECT kind, id, doc FROM objects").fetchall()
    links = db.execute("SELECT relation, source, target FROM links").fetchall()
    db.close()
    objects: dict = {}
    for kind, key, doc in rows:
        if keyed:
            objects.setdefault(kind, {})[key] = json.loads(doc)
        else:
            objects.setdefault(kind, []).append(json.loads(doc))
    return {"objects": objects, "links": links}


def example_names() -> set[str]:
    """The names of examples/'s applications: what a fresh apply of a copy of examples/ makes."""
    directory = Path(__file__).resolve().parents[2] / "examples" / "applications"
    return {re.search(r"^name: (\S+)$", path.read_text(), re.MULTILINE).group(1) for path in directory.glob("*.yaml")}


def applications(project: Path) -> dict[str, dict]:
    """The applications in the tenant by uniqueName, but for projects' records (idamconf/record/: idamconf's own
    bookkeeping, tested in tests/cli/test_project_record.py)."""
    apps = [app for app in tenant(project)["objects"].get("applications", [])
            if not (app.get("uniqueName") or "").startswith("idamconf.project.")]
    names = [app["uniqueName"] for app in apps]
    assert len(names) == len(set(names)), f"duplicate applications in the tenant: {names}"
    return {app["uniqueName"]: app for app in apps}


def declared(project: Path) -> set[str]:
    """The names of the applications the configuration's files declare (the examples', however many there are)."""
    return {re.search(r"^name: *([a-z0-9-]+)", path.read_text(), re.M).group(1)
            for path in (project / "applications").glob("*.yaml")}


def owners_of(project: Path, name: str) -> set[str]:
    state = tenant(project)
    app_id = applications(project)[name]["id"]
    users = {user["id"]: user["userPrincipalName"] for user in state["objects"].get("users", [])}
    return {users[target] for relation, source, target in state["links"] if relation == "owners" and source == app_id}


def faulted(monkeypatch, policy) -> None:
    """The embedded emulator with a fault policy (emulator/faults.py: `before`, `after`) for the rest of the test,
    or until `monkeypatch.undo()`."""
    from idamconf.emulator import embedded

    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, policy, tenant))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def add_environment(project: Path, settings: str) -> None:
    """Tenants added to a copy of examples/ (`settings`: their lines in idamconf.yaml, each from `  <name>:`), where
    expenses's client secret goes to a vault of its own: validate refuses one vault secret written in two tenants."""
    edit(project / "idamconf.yaml", "environments:\n", "environments:\n" + settings)
    for name in re.findall(r"^  ([^\s:]+):$", settings, re.M):
        edit(project / "applications" / "expenses.yaml", "overrides:\n", f"overrides:\n  {name}:\n    secrets:\n"
             "      - displayName: expenses web sign-in\n        keyvault:\n"
             f"          vaultUrl: https://contoso-expenses-{name}.vault.azure.net\n"
             "          secretName: expenses-client-secret\n")


def live_warns_of(project: Path, *rules: str) -> None:
    """The project's live environment makes `rules` warnings (as devl has them), for tests of what they stop there:
    a package written without a review (review.required) or granting requests without approval (approval.required),
    to test its name, grants or policies, or the review's removal. Both are errors in live by default (session 52)."""
    edit(project / "idamconf.yaml", "      reviewers.two: error\n",
         "      reviewers.two: error\n" + "".join(f"      {rule}: warning\n" for rule in rules))
