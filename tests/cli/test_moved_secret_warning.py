"""A client secret the file moves (another vaultUrl or secretName) is written to its new place; its copy at the old
place is left there (docs/credentials.md: idamconf never touches a place the file no longer names). Until session
53 nothing said so: the plan said only that readers of "its old place" had until a date to switch, and the copy
stayed behind, enabled, unmanaged. Now every plan and apply that keeps the moved password says, as a warning in
every format, where the copy is -- from the configuration's git history -- that it is no longer managed, and how to
remove it."""

from __future__ import annotations

import datetime as _dt
import json
import subprocess

import pytest

from idamconf import clock
from idamconf.escape.markdown import md_text

from .harness import apply, edit, plan

EXPENSES = "applications/expenses.yaml"
OLD = "in vault https://contoso-expenses.vault.azure.net under the name expenses-client-secret"
EMULATED = "that vault is the emulator's own, on this machine"  # never Azure's CLI: it would reach the real vault


@pytest.fixture(autouse=True)
def real_time(monkeypatch):
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))


def git(project, *args) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=project, check=True,
                   capture_output=True)


def committed(project, message: str = "configuration") -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


@pytest.fixture
def repo(project):
    """examples/ in a git repository of its own, applied."""
    (project / ".gitignore").write_text(".idamconf/\n")
    git(project, "init", "-q")
    committed(project)
    result = apply(project)
    assert result.code == 0, result.err
    return project


def moved(project) -> None:
    clock.advance(days=40)  # mid-life: the move, not a rotation, adds the new one
    edit(project / EXPENSES, "secretName: expenses-client-secret", "secretName: expenses-web-sign-in")


def warned(text: str, shown=str) -> bool:
    """`shown`: how the format writes text (Markdown escapes what would be markup or a link)."""
    return all(shown(said) in text for said in (OLD, "no longer managed", EMULATED)) and "az keyvault" not in text


@pytest.mark.parametrize("committed_too", [False, True], ids=["edited", "committed"])
def test_a_moved_secret_names_the_copy_left_at_its_old_place_in_every_format_and_in_apply(repo, committed_too):
    project = repo
    moved(project)
    if committed_too:  # a pipeline's apply of the merged move: HEAD is the move itself
        committed(project, "move the secret")
    human = plan(project)
    assert human.code == 0, human.err
    assert "WARNING: app.expenses.secret[expenses web sign-in]" in human.out and warned(human.out), human.out
    document = json.loads(plan(project, "--format", "json").out)
    assert any(warned(warning) for warning in document["warnings"]), document["warnings"]
    assert warned(plan(project, "--format", "markdown").out, md_text)
    applied = apply(project, "--format", "markdown")
    assert applied.code == 0, applied.err
    assert warned(applied.out, md_text), applied.out
    reported = json.loads(apply(project, "--format", "json").out)  # applied: the old password is kept, and said
    assert any(warned(warning) for warning in reported["warnings"]), reported


@pytest.mark.usefixtures("applied")
def test_without_git_history_the_warning_says_where_to_look(project):
    moved(project)
    shown = plan(project).out
    assert "WARNING: app.expenses.secret[expenses web sign-in]" in shown and "no longer managed" in shown, shown
    assert "the place the file named before" in shown and OLD not in shown


def test_a_secret_that_did_not_move_says_nothing(repo):
    project = repo
    clock.advance(days=160)  # a rotation: a new password, the old one superseded -- nothing left anywhere
    assert "WARNING" not in plan(project).out


def _moved_in_history(tmp_path):
    """examples/ copied (the test puts it in git and moves the secret), and what reads its configuration then, with
    the plan's change that keeps the moved password."""
    import shutil

    from idamconf.config.load import load_configuration
    from idamconf.plan.model import Action, Change

    project = tmp_path / "config"
    shutil.copytree("examples", project, ignore=shutil.ignore_patterns(".idamconf", "ci"))
    return project, lambda: (load_configuration(project), Change(
        "app.expenses.secret[expenses web sign-in#x]", "secret", "expenses", Action.NOOP, KEPT, KEPT))


KEPT = {"displayName": "expenses web sign-in", "status": "no copy in https://contoso-expenses-devl.vault.azure.net/"
        "secrets/expenses-web: removed on or after 2027-01-01; readers of its old place have until then to switch"}


def test_in_a_tenant_the_warning_says_how_to_disable_or_delete_the_old_copy(tmp_path):
    """devl's vault is Azure's: the warning gives Azure CLI's commands for the old place, read from the commit that
    named it (an override's, as devl's secret is)."""
    from idamconf.commands.moved_secrets import moved_warnings
    from idamconf.plan.model import Plan

    project, read = _moved_in_history(tmp_path)
    git(project, "init", "-q")
    committed(project)
    devl = "https://contoso-expenses-devl.vault.azure.net\n          secretName: expenses-"
    edit(project / EXPENSES, devl + "client-secret", devl + "web")
    committed(project, "move devl's secret")
    configuration, change = read()
    [warning] = moved_warnings(configuration, "devl", Plan("eucs-idam", "devl", "t", (change,)))
    assert "in vault https://contoso-expenses-devl.vault.azure.net under the name expenses-client-secret" in warning
    assert "az keyvault secret delete --vault-name contoso-expenses-devl --name expenses-client-secret" in warning
    assert "az keyvault secret set-attributes --vault-name contoso-expenses-devl --name expenses-client-secret " \
        "--enabled false" in warning


def test_with_secret_files_the_warning_names_the_files_left(tmp_path):
    from idamconf.commands.moved_secrets import moved_warnings
    from idamconf.plan.model import Plan

    project, read = _moved_in_history(tmp_path)
    files = tmp_path / "secrets"
    edit(project / "idamconf.yaml", "    seed: emulator/directory.yaml\n",
         f"    seed: emulator/directory.yaml\n    secretFiles: {files}\n")
    git(project, "init", "-q")
    committed(project)
    edit(project / EXPENSES, "secretName: expenses-client-secret\n# Each", "secretName: expenses-web\n# Each")
    committed(project, "move the local secret")
    configuration, change = read()
    [warning] = moved_warnings(configuration, "local", Plan("eucs-idam", "local", "t", (change,)))
    assert f"delete expenses-client-secret.secret and expenses-client-secret.keys.json from the secretFiles " \
        f"directory {files}" in warning and "az keyvault" not in warning


def test_an_old_place_that_is_no_vault_secret_name_is_never_put_in_a_command(tmp_path):
    """The old place comes from the file's history, which no validate checked now: a secret name Key Vault could not
    hold (here one that a shell would run) is not offered in Azure CLI's command lines a reader may paste; the
    warning says where to look instead."""
    from idamconf.commands.moved_secrets import moved_warnings
    from idamconf.plan.model import Plan

    project, read = _moved_in_history(tmp_path)
    git(project, "init", "-q")
    devl = "https://contoso-expenses-devl.vault.azure.net\n          secretName: expenses-"
    edit(project / EXPENSES, devl + "client-secret", devl + "x$(touch pwned)")
    committed(project)
    edit(project / EXPENSES, devl + "x$(touch pwned)", devl + "web")
    committed(project, "move devl's secret")
    configuration, change = read()
    [warning] = moved_warnings(configuration, "devl", Plan("eucs-idam", "devl", "t", (change,)))
    assert "touch" not in warning and "az keyvault" not in warning, warning
    assert "look in the file's history" in warning
