"""Access packages when Graph refuses a step: a catalog it will not create or change, and what depends on it. Each
refusal is reported against the change it stopped, nothing else is lost, and the next apply finishes the rest.
One small application (examples/'s wordpress, three roles, a package each) keeps each test well under a second."""

from __future__ import annotations

import pytest

from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply
from tests.cli.harness import apply, edit, plan
from tests.cli.test_scenarios import converged

from .graph_view import GOV, listed

CATALOG = "EUCS IDAM applications"
REAL_OPEN = embedded.open_app
PACKAGES = {"eucs-idam-wordpress-administrators", "eucs-idam-wordpress-approvers", "eucs-idam-wordpress-writers"}


@pytest.fixture
def blog(project):
    """examples/ with its wordpress application alone."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()
    return project


class Refuse:
    """Graph refusing (403) every `method` request whose path starts with `prefix`."""

    def __init__(self, method: str, prefix: str):
        self.method, self.prefix, self.refused = method, prefix, 0

    async def before(self, request):
        if request.method == self.method and request.path.startswith(self.prefix):
            self.refused += 1
            error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return Reply(403, error.body("test", "test"))
        return None

    async def after(self, request, reply):
        return reply


def refusing(monkeypatch, fault: Refuse | None) -> None:
    """The embedded tenant opened with `fault` (None: as it is)."""
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: REAL_OPEN(
        state, seed, fault, tenant))


def names(project, path: str) -> set[str]:
    return {item["displayName"] for item in listed(project, path)}


def test_a_catalog_graph_will_not_create_fails_its_packages_and_the_next_apply_makes_them(blog, monkeypatch):
    fault = Refuse("POST", f"{GOV}/catalogs")
    refusing(monkeypatch, fault)
    result = apply(blog)
    assert result.code == 1
    assert fault.refused == 1  # one refusal: no retry of a 403, and no second catalog tried
    assert (f"error: catalog[{CATALOG}]: 403 Authorization_RequestDenied: Insufficient privileges to complete the "
            "operation.") in result.err
    # the application's place in the catalog is the first step that needs it: it fails, saying why; the packages
    # after it are skipped, each named
    assert f"error: app.wordpress.catalog[{CATALOG}]: catalog '{CATALOG}' could not be created" in result.err
    skipped = [line for line in result.err.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 9 and all(".access_package" in line for line in skipped)
    assert "Apply incomplete: 9 added, 0 changed, 0 destroyed; 2 failed." in result.err
    assert "Traceback" not in result.out + result.err
    # the application itself was made; nothing of the packages was
    assert "wordpress" in {app.get("uniqueName") for app in listed(blog, "applications")}
    assert names(blog, f"{GOV}/catalogs") == set() and names(blog, f"{GOV}/accessPackages") == set()
    refusing(monkeypatch, None)
    finished = apply(blog)
    assert finished.code == 0, finished.err
    assert "Apply complete: 11 added, 0 changed, 0 destroyed." in finished.out
    assert names(blog, f"{GOV}/catalogs") == {CATALOG}
    assert names(blog, f"{GOV}/accessPackages") == PACKAGES
    converged(blog)


WRITER_PACKAGE = ("    accessPackage:\n      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
                  "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
                  "        frequencyDays: 180       # every 6 months\n")
WRITER = "    description: Drafts and edits posts; cannot publish.\n"


def test_a_catalog_change_graph_refuses_is_reported_and_a_new_package_in_it_is_still_made(blog, monkeypatch):
    """The catalog exists, so what goes into it need not wait for its description."""
    project_file = blog / "idamconf.yaml"
    project_file.write_text(project_file.read_text() + f"catalogs:\n  {CATALOG}:\n    description: Blog roles.\n")
    edit(blog / "applications/wordpress.yaml", WRITER + WRITER_PACKAGE, WRITER)
    assert apply(blog).code == 0
    edit(project_file, "description: Blog roles.", "description: The blog's roles.")
    edit(blog / "applications/wordpress.yaml", WRITER, WRITER + WRITER_PACKAGE)
    fault = Refuse("PATCH", f"{GOV}/catalogs/")
    refusing(monkeypatch, fault)
    result = apply(blog)
    assert result.code == 1 and fault.refused == 1
    assert (f"error: catalog[{CATALOG}]: 403 Authorization_RequestDenied: Insufficient privileges to complete the "
            "operation.") in result.err
    assert "Apply incomplete: 3 added, 0 changed, 0 destroyed; 1 failed." in result.err
    assert "skipped" not in result.err
    assert names(blog, f"{GOV}/accessPackages") == PACKAGES
    [catalog] = listed(blog, f"{GOV}/catalogs")
    assert catalog["description"] == "Blog roles."
    refusing(monkeypatch, None)
    finished = apply(blog)
    assert finished.code == 0, finished.err
    assert f"~ catalog[{CATALOG}]: updated" in finished.out
    assert "Apply complete: 0 added, 1 changed, 0 destroyed." in finished.out
    [catalog] = listed(blog, f"{GOV}/catalogs")
    assert catalog["description"] == "The blog's roles."
    converged(blog)
