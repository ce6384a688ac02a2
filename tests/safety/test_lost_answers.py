"""Lost answers never duplicate a create, proven at every fault point rather than where a seeded random fault
happens to land: a clean apply lists the creates it sends; then, one apply per create, the HTTP round trip carrying
that create runs and commits in the tenant and its answer is lost on the way back (the connection drops) -- every
other create in that round trip loses its answer too, as with Graph. Each apply must finish, leave a tenant that
plans no change, and hold every object once."""

from __future__ import annotations

import json
import re
from collections import Counter

import httpx
import pytest

from benchmarks.tenant_check import check
from idamconf.graph import connect as connect_module
from tests.cli.harness import apply, edit
from tests.cli.test_scenarios import converged

from .graph_view import GOV, application, listed

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def creates(request: httpx.Request, deletes: bool = False) -> list[str]:
    """The creates (and with `deletes`, the deletions) an HTTP request carries (itself, or the items of its
    `$batch`), each named by its kind: its method and path, object ids left out (they differ from run to run)."""
    path = request.url.path.split("/v1.0/", 1)[1]
    items = [{"method": request.method, "url": path, "headers": request.headers, "body": None}]
    if path == "$batch":
        items = json.loads(request.content)["requests"]
    kinds = []
    for item in items:
        headers = {name.lower(): value for name, value in (item.get("headers") or {}).items()}
        upsert = item["method"] == "PATCH" and "create-if-missing" in headers.get("prefer", "")
        if item["method"] == "POST" or upsert or (deletes and item["method"] == "DELETE"):
            what = item.get("body") or {}
            detail = what.get("requestType", "") if isinstance(what, dict) else ""
            kinds.append(f"{item['method']} {GUID.sub('{id}', item['url'].lstrip('/'))} {detail}".rstrip())
    return kinds


class LoseAnswer(httpx.AsyncBaseTransport):
    """Passes every round trip on; the one carrying the `victim` -- the n-th create of a kind -- is executed and
    committed, and its answer lost. With no victim, it only counts the creates."""

    def __init__(self, inner: httpx.AsyncBaseTransport, victim: tuple[str, int] | None, deletes: bool = False):
        self.inner, self.victim, self.deletes = inner, victim, deletes
        self.seen: Counter = Counter()
        self.lost = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        kinds = creates(request, self.deletes)
        self.seen.update(kinds)
        response = await self.inner.handle_async_request(request)
        if self.victim is not None and not self.lost and self.victim[0] in kinds and \
                self.seen[self.victim[0]] >= self.victim[1]:
            await response.aread()  # the tenant has done it all
            self.lost = True
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def blog(project):
    """The examples with WordPress alone: every kind of create (application, service principal, the owners of both,
    catalog, its place in the catalog, three access packages with their role scopes and policies) in 17 creates
    (20 changes: the roles go with the application), and the project's record (idamconf/record/) written twice."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()
    return project


def apply_losing(project, monkeypatch, victim, *extra: str) -> tuple:
    real = connect_module._http_client
    wires = []

    def wired(target):
        client = real(target)
        client._transport = LoseAnswer(client._transport, victim, deletes="--allow-delete" in extra)
        wires.append(client._transport)
        return client

    monkeypatch.setattr(connect_module, "_http_client", wired)
    result = apply(project, *extra)
    monkeypatch.setattr(connect_module, "_http_client", real)
    return result, wires[0]


@pytest.fixture(autouse=True)
def no_back_off(monkeypatch):
    """No back-off before a request is sent again: what is tested is what is sent, not how long it waits."""
    import functools

    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, base_delay=0.0))


def sweep(start, tmp_path_factory, monkeypatch, done: str, *extra: str):
    """Apply `start` (a configuration directory and its tenant) once to list the writes, then once per write,
    each from `start` as it was (restored in place), that write's answer lost; every apply must finish with `done`
    and leave a tenant planning no change, without duplicates or orphans. Returns the number of fault points and
    the findings of each."""
    import shutil

    pristine = tmp_path_factory.mktemp("pristine") / "config"
    shutil.copytree(start, pristine)
    result, wire = apply_losing(start, monkeypatch, None, *extra)
    assert result.code == 0, result.err
    victims = [(kind, n) for kind, count in sorted(wire.seen.items()) for n in range(1, count + 1)]
    found = []
    project = start  # the same directory each time: the project's record binds the tenant to it (record/home.py)
    for victim in victims:
        shutil.rmtree(project)
        shutil.copytree(pristine, project)
        result, wire = apply_losing(project, monkeypatch, victim, *extra)
        assert wire.lost, f"{victim} was never sent"
        assert result.code == 0, f"{victim}: {result.err}"
        assert done in result.out, (victim, result.out)
        converged(project)
        findings = check(project / ".idamconf" / "local.db")
        assert (findings.duplicates, findings.orphans) == ([], []), victim
        found.append(findings)
    return len(victims), found


def test_every_create_whose_answer_is_lost_is_made_once(blog, tmp_path_factory, monkeypatch):
    points, found = sweep(blog, tmp_path_factory, monkeypatch, "Apply complete: 20 added, 0 changed, 0 destroyed.")
    assert points == 17 + 2  # the creates, and the record's lease taken and given back (each an upsert)
    assert all((f.counts["applications"], f.counts["accessPackages"]) == (1, 3) for f in found)


def test_every_deletion_whose_answer_is_lost_is_finished(blog, tmp_path_factory, monkeypatch):
    """Taking WordPress down: three policies, role scopes and packages, its place in the catalog, the application.
    A deletion sent again finds its object gone, and counts that as done."""
    assert apply(blog).code == 0
    (blog / "applications" / "wordpress.yaml").unlink()
    points, found = sweep(blog, tmp_path_factory, monkeypatch, "Apply complete: 0 added, 0 changed, 11 destroyed.",
                          "--allow-delete")
    assert points == 11 + 2  # the deletions, and the record's lease taken and given back
    assert all(f.counts.get("applications", 0) == f.counts.get("accessPackages", 0) == 0 for f in found)


def test_a_lost_catalog_create_is_found_again_by_a_name_holding_a_quote(blog, monkeypatch):
    """A look-up by name quotes the name as OData needs (`'` doubled): else the catalog whose create lost its answer
    is not found again, and made twice."""
    edit(blog / "idamconf.yaml", "  catalog: EUCS IDAM applications", "  catalog: Comms' applications")
    result, wire = apply_losing(blog, monkeypatch, ("POST identityGovernance/entitlementManagement/catalogs", 1))
    assert wire.lost
    assert result.code == 0, result.err
    converged(blog)
    assert check(blog / ".idamconf" / "local.db").duplicates == []
    assert [catalog["displayName"] for catalog in listed(blog, f"{GOV}/catalogs")] == ["Comms' applications"]


@pytest.mark.parametrize("victim", ["DELETE applications/{id}",
                                    "DELETE identityGovernance/entitlementManagement/assignmentPolicies/{id}",
                                    "DELETE identityGovernance/entitlementManagement/accessPackages/{id}"])
def test_a_deletion_sent_again_that_finds_its_object_gone_is_done_at_once(blog, monkeypatch, victim):
    """"Not found" for a deletion means done, not "not replicated yet": it is sent again once, never polled."""
    assert apply(blog).code == 0
    (blog / "applications" / "wordpress.yaml").unlink()
    result, wire = apply_losing(blog, monkeypatch, (victim, 1), "--allow-delete")
    assert wire.lost, sorted(wire.seen)
    assert result.code == 0, result.err
    assert "Apply complete: 0 added, 0 changed, 11 destroyed." in result.out
    assert "  - app.wordpress: destroyed\n" in result.out
    sent = {"DELETE applications/{id}": 1, "DELETE identityGovernance/entitlementManagement/accessPackages/{id}": 3}
    assert wire.seen[victim] == sent.get(victim, 3) + 1  # each object once, the lost one twice


@pytest.mark.parametrize("victim", ["DELETE applications/{id}/owners/{id}/$ref",
                                    "DELETE servicePrincipals/{id}/owners/{id}/$ref"])
def test_an_owner_removal_sent_again_that_finds_the_owner_gone_is_done_at_once(blog, monkeypatch, victim):
    """An owner's removal whose answer is lost is sent again and finds the owner gone: that is done, not "not
    replicated yet" -- sent once more, never polled for the settle time, and the other owners stay."""
    assert apply(blog).code == 0
    edit(blog / "applications" / "wordpress.yaml", "  - grace.comms@contoso.com\n", "")
    result, wire = apply_losing(blog, monkeypatch, (victim, 1), "--allow-delete")
    assert wire.lost, sorted(wire.seen)
    assert result.code == 0, result.err
    assert "Apply complete: 0 added, 0 changed, 2 destroyed." in result.out
    assert wire.seen[victim] == 2  # the lost one, and once again
    held = listed(blog, f"applications/{application(blog, 'wordpress')['id']}/owners")
    assert [owner["userPrincipalName"] for owner in held] == ["alice.admin@contoso.com"]
    converged(blog)
