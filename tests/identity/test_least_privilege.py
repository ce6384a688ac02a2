"""README's permissions table is exactly what idamconf needs: a pipeline identity holding those Graph application
permissions and no more plans and applies examples/ to a no-change plan against an emulator that enforces Graph's
permissions; without any one of them the run fails, and the line that reports Graph's refusal names it (a refused
write is reported per change, as any refusal is, and the rest of the run goes on where it does not depend on it)."""

from __future__ import annotations

import re

import pytest

from tests.cli.harness import apply, plan
from tests.conftest import ROOT
from tests.identity.conftest import served_project


def readme_permissions() -> tuple[str, ...]:
    section = (ROOT / "README.md").read_text().split("## Targeting a real tenant", 1)[1].split("\n2. ", 1)[0]
    found = tuple(re.findall(r"^ *\| `([A-Za-z.]+)` \|", section, re.M))
    assert len(found) >= 5, section  # the table is there, and read
    return found


PERMISSIONS = readme_permissions()


def test_the_tables_permissions_apply_examples_to_a_no_change_plan(project, monkeypatch):
    with served_project(project, "client-secret", monkeypatch, granted=PERMISSIONS):
        applied = apply(project)
        assert applied.code == 0, applied.err
        again = plan(project)
    assert again.code == 0, again.err
    assert "No changes." in again.out


@pytest.mark.parametrize("missing", PERMISSIONS)
def test_without_any_one_of_them_the_run_stops_naming_it(project, monkeypatch, missing):
    granted = tuple(name for name in PERMISSIONS if name != missing)
    with served_project(project, "client-secret", monkeypatch, granted=granted):
        result = apply(project)
    assert result.code == 1, result.out + result.err
    refusals = [line for line in result.err.splitlines() if "403 Authorization_RequestDenied" in line]
    assert refusals and all(missing in line for line in refusals), result.err
    assert "Traceback" not in result.err and "unexpected" not in result.err


def readme_read_permissions() -> tuple[str, ...]:
    """`readClientId`'s permissions as README's environment table lists them."""
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `readClientId`"))
    return tuple(re.findall(r"`([A-Z][A-Za-z]+\.[A-Za-z.]+)`", row))


def test_the_read_identity_plans_with_the_read_permissions_readme_lists(project, monkeypatch):
    from idamconf.emulator.identity.enforcement import enforce
    from tests.cli.harness import edit
    from tests.identity.conftest import register_pipeline

    read = readme_read_permissions()
    assert "Application.Read.All" in read and not any("ReadWrite" in name for name in read)
    with served_project(project, "workload-identity", monkeypatch, granted=PERMISSIONS) as served:
        assert apply(project).code == 0
        enforce(served.pipeline.store, False)  # an administrator registers the read identity
        with served.pipeline.admin() as graph:
            reader = register_pipeline(graph, project.parent)
        served.pipeline.grant(*read, client_id=reader["client_id"])
        enforce(served.pipeline.store)
        edit(project / "idamconf.yaml", f"    clientId: {served.pipeline.client_id}\n",
             f"    clientId: {served.pipeline.client_id}\n    readClientId: {reader['client_id']}\n")
        result = plan(project)
    assert result.code == 0, result.err
    assert "No changes." in result.out


OWNED_BY_ONLY = ("Application.ReadWrite.OwnedBy", "User.Read.All", "EntitlementManagement.Read.All")


def test_without_access_packages_or_consent_owned_by_is_enough(project, monkeypatch):
    """README: Application.ReadWrite.OwnedBy replaces Application.ReadWrite.All for applications alone; the pipeline
    owns what it creates, so it manages it, and the next plan is empty."""
    assert all(f"`{name}`" in (ROOT / "README.md").read_text() for name in OWNED_BY_ONLY)
    for path in (project / "applications").glob("*.yaml"):
        if path.stem not in ("orders-api", "orders-portal"):  # neither access packages, consent nor assignments
            path.unlink()
    with served_project(project, "client-secret", monkeypatch, granted=OWNED_BY_ONLY):
        applied = apply(project)
        again = plan(project)
    assert applied.code == 0, applied.err
    assert again.code == 0 and "No changes." in again.out, again.err
