"""What apply looks up and writes of access packages (idamconf/apply_access.py, and packages of their own:
idamconf/apply_packages.py), seen from outside: a package of the name in another team's catalog is never taken for
the project's; a policy the plan's read did not show yet is found by name, never made twice; a place in a catalog
just joined, or a new package a refused policy needs, is waited for while replication catches up; a changed policy is
the only write; a group leaves a catalog as a group, and a refused removal is not taken as done; packages of their own
are not built after their teardown failed, and one that cannot be built says why."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import pytest

import idamconf.workflow
from idamconf.emulator.protocol import Reply
from idamconf.graph import client
from idamconf.plan.model import Action
from tests.cli.harness import apply, edit, faulted, plan
from tests.cli.test_scenarios import converged

from .graph_view import GOV, application, graph, listed
from .test_refusals import WRITER, WRITER_PACKAGE, AnotherTeamMeanwhile, blog, packages, refusing  # noqa: F401
from .wire import Rule, Scripted, graph_error




def settle_at_once(monkeypatch) -> None:
    """The retry policy's settle time (how long a read that does not show a write yet is retried) cut to a few
    milliseconds, so that a test of what happens after it runs at once."""
    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=0.001))

def place_reads(reads: list, hidden=lambda count: True):
    """A fault rule's test for the reads of the application's place in a catalog (the catalog's resources by
    `originId`): each is recorded in `reads`, and `hidden(n)` says whether the n-th is answered as if the place were
    not there yet (the first read decides whether to join; the next are the role scopes' looks)."""
    def test(request) -> bool:
        if request.method == "GET" and request.path.endswith("/resources") and \
                "originId" in request.query.get("$filter", ""):
            reads.append(request.path)
            return hidden(len(reads))
        return False
    return test

def test_an_empty_package_of_the_name_in_another_catalog_is_never_taken_over(blog, monkeypatch):
    """Another team makes an empty package named as the project's Writer package, in a catalog of its own, just as
    apply looks the name up: it is not the project's shell (that would be in the project's catalog). Apply makes
    its own package in its own catalog and leaves theirs as it is."""
    edit(blog / "applications/wordpress.yaml", WRITER + WRITER_PACKAGE, WRITER)
    assert apply(blog).code == 0
    edit(blog / "applications/wordpress.yaml", WRITER, WRITER + WRITER_PACKAGE)

    def theirs() -> None:
        catalog = graph(blog, "POST", f"{GOV}/catalogs", {"displayName": "Another team's catalog"})
        graph(blog, "POST", f"{GOV}/accessPackages", {"displayName": "eucs-idam-wordpress-writers",
                                                      "catalog": {"id": catalog["id"]}})

    fault = AnotherTeamMeanwhile(f"{GOV}/accessPackages", "eucs-idam-wordpress-writers", theirs)
    refusing(monkeypatch, fault)
    result = apply(blog)
    assert fault.done and result.code == 0, result.err
    refusing(monkeypatch, None)
    catalogs = {c["id"]: c["displayName"] for c in listed(blog, f"{GOV}/catalogs")}
    writers = {catalogs[p["catalog"]["id"]]: p for p in
               listed(blog, f"{GOV}/accessPackages?$expand=resourceRoleScopes,catalog")
               if p["displayName"] == "eucs-idam-wordpress-writers"}
    assert set(writers) == {"Another team's catalog", "EUCS IDAM applications"}
    assert writers["Another team's catalog"]["resourceRoleScopes"] == []
    assert len(writers["EUCS IDAM applications"]["resourceRoleScopes"]) == 1
    policies = [p["accessPackage"]["id"] for p in listed(blog, f"{GOV}/assignmentPolicies?$expand=accessPackage")]
    assert writers["Another team's catalog"]["id"] not in policies


def test_a_policy_the_plans_read_missed_is_found_by_name_not_made_twice(blog, monkeypatch):
    """The plan says a package's policy is to be created, though it exists: its read did not show it yet (Graph
    replicates in seconds). Before a create, apply looks for the package's policy of that name: it finds it and
    writes it in place -- the package keeps one policy."""
    assert apply(blog).code == 0
    real = idamconf.workflow.make_plan

    def lagging(desired, live, *args):
        made = real(desired, live, *args)
        missed = [replace(c, action=Action.CREATE, before=None,
                          ids={k: v for k, v in c.ids.items() if k != "policyId"})
                  if c.kind == "policy" and c.address.startswith("app.wordpress.role.Blog.Writer.") else c
                  for c in made.changes]
        return replace(made, changes=tuple(missed))

    monkeypatch.setattr(idamconf.workflow, "make_plan", lagging)
    result = apply(blog)
    assert result.code == 0, result.err
    monkeypatch.undo()
    [writers] = packages(blog)["eucs-idam-wordpress-writers"]
    assert len(writers["policies"]) == 1, writers["policies"]
    converged(blog)


def test_the_applications_place_in_a_catalog_just_joined_is_waited_for(blog, monkeypatch, pauses):
    """The application joins the catalog; the first read of its place there for a role scope does not show it yet
    (replication): apply reads again after a pause, then links the role -- it does not give up."""
    reads_the_place = place_reads([], lambda count: count == 2)  # the second is the role scope's first look
    faulted(monkeypatch, Scripted([Rule(reads_the_place, Reply(200, {"value": []}))]))
    result = apply(blog)
    assert result.code == 0, result.err
    assert 0.25 in pauses
    monkeypatch.undo()
    converged(blog)


def test_a_place_in_a_catalog_slow_to_show_is_looked_for_less_and_less_often(blog, monkeypatch, pauses):
    """The application's place in the catalog it just joined stays out of the reads for a while: the role scopes
    waiting for it look again after 0.25 s, then 0.5 s, then every second -- the retry policy's polling, not a
    read every quarter second for the whole settle time -- and link their roles once it shows."""
    reads_the_place = place_reads([], lambda count: 2 <= count <= 9)  # eight of the role scopes' looks miss
    faulted(monkeypatch, Scripted([Rule(reads_the_place, Reply(200, {"value": []}), times=10**6)]))
    result = apply(blog)
    assert result.code == 0, result.err
    assert {0.25, 0.5, 1.0} <= set(pauses), pauses  # eight misses among three packages: one missed three times
    monkeypatch.undo()
    converged(blog)


def test_a_look_at_the_catalog_that_lags_uses_the_place_another_package_just_found(blog, monkeypatch):
    """Three role scopes look for the application's place in the catalog at once; the first look finds it, the second
    is answered by a replica that does not show it yet, after the settle time (a few milliseconds here). The place
    is known -- the second uses what the first found, and all three roles are linked."""
    settle_at_once(monkeypatch)
    reads: list[str] = []
    lags = place_reads(reads, lambda count: count == 3)  # the second role scope's look
    faulted(monkeypatch, Scripted([Rule(lags, Reply(200, {"value": []}), times=10**6)]))
    result = apply(blog)
    assert result.code == 0, result.err
    assert len(reads) >= 4
    for role in ROLES:
        assert f"\n  + app.wordpress.role.Blog.{role}.access_package.role_scope: created\n" in result.out
    monkeypatch.undo()
    converged(blog)

ROLES = ("Administrator", "Approver", "Writer")


def test_new_packages_their_roles_and_policies_reach_graph_as_graph_documents_them(blog, monkeypatch, pauses):
    """WordPress's three packages made from nothing: each package is created in the project's catalog, shown, with
    its name, saying that the project is making it (plan/left_behind.py); each links its role to the application's
    root scope, both named by their origin in Azure AD (the role by its id, the scope by the service principal's)
    and the role through the application's resource in the catalog; then gets the file's description. And apply
    says the catalog is created, the application added to it, and each package, role scope and policy created."""
    sent: list[tuple[str, dict]] = []

    def records(request) -> bool:  # never answers: only notes what the tenant received
        if request.method in ("POST", "PATCH") and request.path.startswith(f"{GOV}/accessPackages"):
            sent.append((request.path, request.body))
        return False

    faulted(monkeypatch, Scripted([Rule(records, graph_error(400, "unused"), times=10**6)]))
    result = apply(blog)
    assert result.code == 0, result.err
    monkeypatch.undo()
    [catalog] = [c["id"] for c in listed(blog, f"{GOV}/catalogs") if c["displayName"] == "EUCS IDAM applications"]
    app = application(blog, "wordpress")
    [sp] = listed(blog, f"servicePrincipals?$filter=appId eq '{app['appId']}'")
    [resource] = listed(blog, f"{GOV}/catalogs/{catalog}/resources?$filter=originId eq '{sp['id']}'")
    role_ids = {role["value"]: role["id"] for role in app["appRoles"]}
    package_ids = {p["displayName"]: p["id"] for p in listed(blog, f"{GOV}/accessPackages")}
    expected = []
    for role in ROLES:
        package = f"eucs-idam-wordpress-{role.lower()}s"
        made = [(f"{GOV}/accessPackages", {"displayName": package, "description": "idamconf (eucs-idam) is making "
                                           "this access package of application wordpress.", "isHidden": False,
                                           "catalog": {"id": catalog}}),
                (f"{GOV}/accessPackages/{package_ids[package]}/resourceRoleScopes",
                 {"role": {"originId": role_ids[f"Blog.{role}"], "originSystem": "AadApplication",
                           "resource": {"id": resource["id"]}},
                  "scope": {"originId": sp["id"], "originSystem": "AadApplication", "isRootScope": True}}),
                (f"{GOV}/accessPackages/{package_ids[package]}",
                 {"description": f"Grants the {role} role of WordPress Blog."})]
        assert [request for request in sent if request in made] == made  # in this order
        expected += made
    assert sorted(sent, key=repr) == sorted(expected, key=repr)
    # nothing was waited for: the application, not yet in the catalog, is added at once (only a place just added is
    # looked for again while replication catches up)
    assert [pause for pause in pauses if 0.25 <= pause <= 1.0] == []  # (the polls of replication)
    assert "\n  + catalog[EUCS IDAM applications]: created\n" in result.out, result.out
    assert "\n  + app.wordpress.catalog[EUCS IDAM applications]: added\n" in result.out, result.out
    for role in ROLES:
        for step in ("", ".role_scope", ".policy"):
            assert f"\n  + app.wordpress.role.Blog.{role}.access_package{step}: created\n" in result.out, result.out


def test_a_package_and_a_policy_refused_once_while_what_they_need_is_there_are_sent_again_and_made(blog, monkeypatch):
    """Graph refuses a new package once (400) though its catalog can be read, and a new policy once though its package
    can: apply reads what each needs, sends each once more, and every package ends with its one policy."""
    def creates(path: str):
        return lambda request: request.method == "POST" and request.path == f"{GOV}/{path}"

    scripted = Scripted([Rule(creates("accessPackages"), graph_error(400, "Request_BadRequest")),
                         Rule(creates("assignmentPolicies"), graph_error(400, "Request_BadRequest"))])
    faulted(monkeypatch, scripted)
    result = apply(blog)
    assert result.code == 0, result.err
    # three packages and three policies, one of each twice
    assert scripted.count("POST", f"{GOV}/accessPackages") == scripted.count("POST", f"{GOV}/assignmentPolicies") == 4
    monkeypatch.undo()
    assert sorted(len(found["policies"]) for [found] in packages(blog).values()) == [1, 1, 1]
    converged(blog)


def test_a_policy_refused_while_its_new_package_cannot_be_read_yet_waits_for_the_package(blog, monkeypatch, pauses):
    """A new package is not readable yet (404, replication) and its policy's create is refused meanwhile: apply
    reads the package, pauses 0.25 s then 0.5 s and sends the policy again -- it does not give up after one more
    try -- and the package ends with its one policy."""
    held: dict[str, str] = {}  # the package whose policy is refused: the three are made side by side

    def creates_its_policy(request) -> bool:
        if request.method != "POST" or request.path != f"{GOV}/assignmentPolicies":
            return False
        return held.setdefault("package", request.body["accessPackage"]["id"]) == request.body["accessPackage"]["id"]

    def reads_the_package(request) -> bool:  # the read that says whether what the policy needs is there
        return request.method == "GET" and request.path == f"{GOV}/accessPackages/{held.get('package')}" and \
            request.query.get("$select") == "id"

    scripted = Scripted([Rule(creates_its_policy, graph_error(400, "Request_BadRequest"), times=2),
                         Rule(reads_the_package, graph_error(404, "Request_ResourceNotFound"), times=2)])
    faulted(monkeypatch, scripted)
    result = apply(blog)
    assert result.code == 0, result.err
    assert [pause for pause in pauses if 0.25 <= pause <= 1.0] == [0.25, 0.5]
    assert scripted.count("POST", f"{GOV}/assignmentPolicies") == 3 + 2
    monkeypatch.undo()
    assert sorted(len(found["policies"]) for [found] in packages(blog).values()) == [1, 1, 1]


def test_a_place_in_the_catalog_that_never_shows_stops_each_role_scope_naming_the_catalog(blog, monkeypatch, pauses):
    """The application joins the catalog, but its place there never shows in a read (here for the retry policy's
    settle time of a few milliseconds): the first role scope tried fails saying which catalog the application is not
    in, and the rest of the application's chain is skipped."""
    settle_at_once(monkeypatch)

    faulted(monkeypatch, Scripted([Rule(place_reads([]), Reply(200, {"value": []}), times=10**6)]))
    result = apply(blog)
    assert result.code == 1
    failed = re.findall(r"^error: app\.wordpress\.role\.Blog\.(\w+)\.access_package\.role_scope: the application is "
                        r"not in catalog EUCS IDAM applications$", result.err, re.MULTILINE)
    assert len(failed) == 1, result.err


def test_a_changed_policy_writes_the_policy_alone(blog, monkeypatch):
    """An approver added: the plan changes one policy, and that is all apply writes of the package -- its role scope,
    unchanged, is not sent again."""
    assert apply(blog).code == 0
    edit(blog / "applications/wordpress.yaml", "approvers: [alice.admin@contoso.com, erin.security@contoso.com, "
         "bob.ops@contoso.com]", "approvers: [alice.admin@contoso.com, erin.security@contoso.com, bob.ops@contoso.com, "
         "frank.audit@contoso.com]")
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in plan(blog).out
    scripted = Scripted()
    faulted(monkeypatch, scripted)
    result = apply(blog)
    assert result.code == 0, result.err
    assert "Apply complete: 0 added, 1 changed, 0 destroyed." in result.out
    assert "\n  ~ app.wordpress.role.Blog.Administrator.access_package.policy: updated\n" in result.out, result.out
    writes = [(method, path) for method, path in scripted.received if method != "GET" and path != "$batch"]
    assert [method for method, path in writes if path.startswith(f"{GOV}/")] == ["PUT"], writes
    monkeypatch.undo()
    converged(blog)


@pytest.mark.usefixtures("applied")
def test_a_group_no_package_grants_any_more_leaves_the_catalog_even_when_refused_once(project, monkeypatch, pauses):
    """examples/' Expenses claimants group, granted by the expenses package alone, stops being granted: its place in
    the catalog goes, by a removal request naming it as a group. Refused once (400) while it is still there, the
    removal is not taken as done: apply reads the catalog, pauses, sends it again."""
    from tests.cli.test_own_packages import CLAIMANTS, EXPENSES, FRANK, in_catalogs

    edit(project / EXPENSES, FRANK, "")
    edit(project / EXPENSES, "      - group: Expenses claimants       # membership, by display name (one group "
                             "exactly), or {group: {id: …}}\n", "      - role: Internal.User\n")
    removals: list[dict] = []

    def removes_from_a_catalog(request) -> bool:
        body = request.body or {}
        return request.method == "POST" and request.path.endswith("/resourceRequests") and \
            body.get("requestType") == "adminRemove"

    def recorded(request) -> bool:  # never answers: only notes what the tenant received
        if removes_from_a_catalog(request):
            removals.append(request.body["resource"])
        return False

    faulted(monkeypatch, Scripted([Rule(recorded, graph_error(400, "unused"), times=10**6),
                                   Rule(removes_from_a_catalog, graph_error(400, "Request_BadRequest"))]))
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert removals == [{"originId": CLAIMANTS, "originSystem": "AadGroup"}] * 2
    assert 0.25 in pauses
    monkeypatch.undo()
    converged(project)
    assert CLAIMANTS not in in_catalogs(project)


@pytest.mark.usefixtures("applied")
def test_packages_of_their_own_are_not_built_when_their_teardown_failed(project, monkeypatch):
    """A package of its own loses a grant and gains another in one apply. Graph refusing to take the old grant away
    stops the packages of their own there: the new grant is not added either (apply builds them only once what
    they give up is gone); the next apply does both."""
    from tests.cli.test_own_packages import CLAIMANTS, HR, HR_GRANTS, NEW_MANAGERS, packages as granted, role

    edit(project / HR, HR_GRANTS, "      - role: HR.Employee\n      - group: Expenses claimants\n")

    def removes_a_grant(request) -> bool:
        return request.method == "DELETE" and "/resourceRoleScopes/" in request.path

    faulted(monkeypatch, Scripted([Rule(removes_a_grant, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    result = apply(project, "--allow-delete")
    assert result.code == 1 and "403 Authorization_RequestDenied" in result.err
    monkeypatch.undo()
    employee, manager = role(project, "hr-self-service", "HR.Employee"), role(project, "hr-self-service", "HR.Manager")
    assert granted(project)[NEW_MANAGERS]["grants"] == {employee, manager}  # nothing taken, nothing added
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert granted(project)[NEW_MANAGERS]["grants"] == {employee, f"Member_{CLAIMANTS}"}


def test_a_package_granting_a_role_of_an_application_without_service_principal_fails_named(project, monkeypatch):
    """Graph refuses every service principal: the package of its own granting hr-self-service's roles cannot be
    built, and says why -- a failure of that change, reported with the rest, never an unexpected error."""
    from tests.cli.test_own_packages import NEW_MANAGERS

    def creates_principal(request) -> bool:
        return request.method == "PATCH" and request.path.startswith("servicePrincipals(appId=")

    faulted(monkeypatch, Scripted([Rule(creates_principal, graph_error(403, "Authorization_RequestDenied"),
                                        times=10**6)]))
    result = apply(project)
    assert result.code == 1
    assert f"error: app.hr-self-service.access_package[{NEW_MANAGERS}].grant[HR.Manager]: application " \
           "hr-self-service has no service principal (see its own errors)" in result.err, result.err
    assert "unexpected" not in result.err.lower() and "Traceback" not in result.err
    monkeypatch.undo()
    assert apply(project).code == 0
    converged(project)


def test_a_group_just_added_to_a_catalog_is_waited_for_before_it_is_granted(project, monkeypatch, pauses):
    """examples/' Expenses claimants group joins the catalog for the package of its own that grants it; the first
    read of its place there after the add does not show it yet (replication): apply reads again after a pause and
    grants it -- it does not give up."""
    from tests.cli.test_own_packages import CLAIMANTS, in_catalogs

    reads: list[str] = []

    def reads_the_groups_place(request) -> bool:
        if request.method == "GET" and request.path.endswith("/resources") and \
                CLAIMANTS in request.query.get("$filter", ""):
            reads.append(request.path)
            return len(reads) == 2  # the first read finds it missing (it is); the second follows the add
        return False

    faulted(monkeypatch, Scripted([Rule(reads_the_groups_place, Reply(200, {"value": []}))]))
    result = apply(project)
    assert result.code == 0, result.err
    assert len(reads) == 2 and 0.25 in pauses  # (the rule, once it has answered, is no longer asked)
    monkeypatch.undo()
    converged(project)
    assert CLAIMANTS in in_catalogs(project)


@pytest.mark.usefixtures("applied")
def test_a_refused_join_of_a_catalog_no_role_package_waits_for_is_reported(project, monkeypatch):
    """examples/' expenses package of its own grants the application's own role instead of a group: the application
    joins the catalog for that grant alone, with no package of its roles waiting on the join. Graph refuses the join
    (403): the refusal is still reported against the application's place in the catalog, and apply exits 1 -- never
    "Apply complete" with a step of the plan left undone unsaid. The next apply finishes."""
    from tests.cli.test_own_packages import EXPENSES, FRANK

    edit(project / EXPENSES, FRANK, "")
    edit(project / EXPENSES, "      - group: Expenses claimants       # membership, by display name (one group "
                             "exactly), or {group: {id: …}}\n", "      - role: Internal.User\n")

    def adds_to_a_catalog(request) -> bool:
        return request.method == "POST" and request.path == f"{GOV}/resourceRequests" and \
            (request.body or {}).get("requestType") == "adminAdd"

    faulted(monkeypatch, Scripted([Rule(adds_to_a_catalog, graph_error(403, "Authorization_RequestDenied"))]))
    result = apply(project, "--allow-delete")
    assert result.code == 1
    assert "error: app.expenses.catalog[EUCS IDAM applications]: 403 Authorization_RequestDenied" in result.err, \
        result.err
    assert "Apply incomplete: " in result.err
    monkeypatch.undo()
    assert apply(project, "--allow-delete").code == 0
    converged(project)
