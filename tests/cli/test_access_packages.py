"""Access packages end to end: the CLI, the real SDK request adapter, the embedded emulator.

Each scenario ends with an empty plan and no duplicate catalog, package, role scope or policy.
"""

from __future__ import annotations

import json

import pytest

from .harness import live_warns_of, applications, apply, edit, plan, refused_by_plan_and_apply, tenant
from .test_scenarios import converged

WORDPRESS = "applications/wordpress.yaml"
USERS = {
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0001": "alice.admin@contoso.com",
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0002": "bob.ops@contoso.com",
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0003": "carol.hr@contoso.com",
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0004": "dave.finance@contoso.com",
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0005": "erin.security@contoso.com",
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0006": "frank.audit@contoso.com",
    "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0007": "grace.comms@contoso.com",
}


def governance(project) -> dict:
    """Packages by name, each with its catalog, the app role values it grants, and its policies."""
    objects = tenant(project)["objects"]
    catalogs = objects.get("catalogs", [])
    names = [c["displayName"] for c in catalogs]
    assert len(names) == len(set(names)), f"duplicate catalogs: {names}"
    packages = objects.get("accessPackages", [])
    package_names = [p["displayName"] for p in packages]
    assert len(package_names) == len(set(package_names)), f"duplicate packages: {package_names}"
    roles = {role["id"]: role["value"] for app in applications(project).values() for role in app["appRoles"]}
    links = tenant(project)["links"]
    policies = {p["id"]: p for p in objects.get("assignmentPolicies", [])}

    def linked(relation: str, source: str) -> list[str]:
        return [t for r, s, t in links if r == relation and s == source]

    result = {}
    for package in packages:
        result[package["displayName"]] = {
            "roles": [roles.get(role) for key in linked("roleScopes", package["id"])
                      for role in linked("roleScopeRole", key)],
            "policies": [policies[key] for key in linked("packagePolicies", package["id"])],
            "catalog": [c["displayName"] for c in catalogs if package["id"] in linked("catalogPackages", c["id"])],
        }
    return result


def approvers(policy) -> set[str]:
    return {USERS[a["userId"]] for a in policy["requestApprovalSettings"]["stages"][0]["primaryApprovers"]}


def recurrence(policy) -> tuple:
    review = policy["reviewSettings"]
    if not review["isEnabled"]:
        return None
    pattern = review["schedule"]["recurrence"]["pattern"]
    return pattern["type"], pattern["interval"]


def test_examples_get_a_package_per_role_with_approvers_and_reviews(project):
    first = plan(project)
    assert "+ catalog[EUCS IDAM applications]  (create)" in first.out
    assert "+ app.wordpress.role.Blog.Administrator.access_package.policy  (create)" in first.out
    assert any(line.split() == ["review.schedule", "=", '"every', '12', 'months"'] for line in first.out.splitlines())
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    packages = governance(project)
    assert set(packages) == {
        "eucs-idam-wordpress-administrators", "eucs-idam-wordpress-writers", "eucs-idam-wordpress-approvers",
        "eucs-idam-hr-self-service-line-managers", "eucs-idam-hr-record-administrators",
        "eucs-idam-payments-api-ledger-auditors",
        "eucs-idam-hr-new-line-managers", "eucs-idam-expenses-claimants"}  # packages of their own (accessPackages:)
    assert sorted(packages["eucs-idam-hr-new-line-managers"]["roles"]) == ["HR.Employee", "HR.Manager"]
    assert packages["eucs-idam-expenses-claimants"]["roles"] == [None]  # a group's Member role, not an app role
    admin = packages["eucs-idam-wordpress-administrators"]
    assert admin["roles"] == ["Blog.Administrator"]
    assert len(admin["policies"]) == 1
    assert approvers(admin["policies"][0]) == {"alice.admin@contoso.com", "erin.security@contoso.com",
                                               "bob.ops@contoso.com"}
    assert recurrence(admin["policies"][0]) == ("absoluteMonthly", 12)
    assert recurrence(packages["eucs-idam-payments-api-ledger-auditors"]["policies"][0]) == ("weekly", 8)
    assert apply(project).code == 0 and len(governance(project)) == 8


@pytest.mark.usefixtures("applied")
def test_adding_an_approver(project):
    edit(project / WORDPRESS, "approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n      accessReview:\n"
         "        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n        frequencyDays: 180",
         "approvers: [grace.comms@contoso.com, alice.admin@contoso.com, bob.ops@contoso.com]\n      accessReview:\n"
         "        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n        frequencyDays: 180")
    result = plan(project)
    assert "~ app.wordpress.role.Blog.Writer.access_package.policy  (update)" in result.out
    assert 'approvers : + "bob.ops@contoso.com"' in result.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.out
    assert apply(project).code == 0
    converged(project)
    policy = governance(project)["eucs-idam-wordpress-writers"]["policies"][0]
    assert "bob.ops@contoso.com" in approvers(policy)


@pytest.mark.usefixtures("applied")
def test_changing_a_review_from_365_to_90_days(project):
    edit(project / WORDPRESS, "frequencyDays: 365       # every 12 months", "frequencyDays: 90")
    result = plan(project)
    assert 'review.schedule : "every 12 months" → "every 3 months"' in result.out
    assert apply(project).code == 0
    converged(project)
    policy = governance(project)["eucs-idam-wordpress-administrators"]["policies"][0]
    assert recurrence(policy) == ("absoluteMonthly", 3)


@pytest.mark.usefixtures("applied")
def test_removing_a_review_is_shown_and_applied(project):
    live_warns_of(project, "review.required")  # packages without a review: tests/cli/harness.py
    edit(project / WORDPRESS, """      accessReview:
        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]
        frequencyDays: 90        # every 3 months
        unreviewed: keep
""", "")
    result = plan(project)
    assert "~ app.wordpress.role.Blog.Approver.access_package.policy  (update)" in result.out
    assert "review : {" in result.out and "} → (none)" in result.out
    assert apply(project).code == 0
    converged(project)
    assert recurrence(governance(project)["eucs-idam-wordpress-approvers"]["policies"][0]) is None


@pytest.mark.usefixtures("applied")
def test_moving_a_role_to_another_package_and_catalog(project):
    edit(project / WORDPRESS, "    accessPackage:               # named eucs-idam-wordpress-administrators by default\n",
         "    accessPackage:\n      name: eucs-idam-blog-site-administrators\n")
    renamed = plan(project)
    assert 'displayName : "eucs-idam-wordpress-administrators" → "eucs-idam-blog-site-administrators"' in renamed.out
    assert apply(project).code == 0
    converged(project)
    assert "eucs-idam-blog-site-administrators" in governance(project)
    edit(project / WORDPRESS, "      name: eucs-idam-blog-site-administrators\n",
         "      name: eucs-idam-blog-site-administrators\n      catalog: Communications\n")
    moved = plan(project)
    assert "- app.wordpress.role.Blog.Administrator.access_package  (destroy)" in moved.out
    assert "+ catalog[Communications]  (create)" in moved.out
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    package = governance(project)["eucs-idam-blog-site-administrators"]
    assert package["catalog"] == ["Communications"] and package["roles"] == ["Blog.Administrator"]


@pytest.mark.usefixtures("applied")
def test_an_application_whose_only_package_moves_to_another_catalog_leaves_the_old_one(project):
    """Its place in the old catalog is a deletion of its own, named and owned by the application as the tenant
    holds it (the application's name, not its roles), and apply takes it out of that catalog."""
    edit(project / "applications/payments-api.yaml", "      assignmentDays: 90\n",
         "      assignmentDays: 90\n      catalog: Communications\n")
    moved = plan(project)
    assert "  - app.payments-api.catalog[EUCS IDAM applications]  (destroy)" in moved.out, moved.out
    assert "  + app.payments-api.catalog[Communications]  (create)" in moved.out
    [left] = [change for change in json.loads(plan(project, "--format", "json").out)["changes"]
              if change["address"] == "app.payments-api.catalog[EUCS IDAM applications]"]
    assert (left["action"], left["application"]) == ("delete", "payments-api")
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert governance(project)["eucs-idam-payments-api-ledger-auditors"]["catalog"] == ["Communications"]


@pytest.mark.usefixtures("applied")
def test_removing_a_role_that_has_a_package(project):
    edit(project / WORDPRESS, """  - displayName: Approver
    value: Blog.Approver
    description: Reviews drafts and publishes them.
    accessPackage:
      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]
      accessReview:
        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]
        frequencyDays: 90        # every 3 months
        unreviewed: keep
""", "")
    result = plan(project)
    changes = result.out.split("idamconf will perform these actions:")[1]  # after the deletions, listed first
    lines = [line for line in changes.splitlines() if line.startswith("  ") and "Blog.Approver" in line]
    assert [line.split()[1] for line in lines] == [
        "app.wordpress.role.Blog.Approver",  # disable first
        "app.wordpress.role.Blog.Approver",
        "app.wordpress.role.Blog.Approver.access_package",
        "app.wordpress.role.Blog.Approver.access_package.role_scope",
        "app.wordpress.role.Blog.Approver.access_package.policy",
    ]
    applied = apply(project, "--allow-delete")
    assert applied.code == 0, applied.err
    progress = applied.out.split("Plan: ")[1].split("\nDeletions and replacements:")[0].splitlines()
    order = [line.split()[1].rstrip(":") for line in progress if "Blog.Approver" in line and line.startswith("  - ")]
    assert order == ["app.wordpress.role.Blog.Approver.access_package.policy",
                     "app.wordpress.role.Blog.Approver.access_package.role_scope",
                     "app.wordpress.role.Blog.Approver.access_package",
                     "app.wordpress.role.Blog.Approver"]
    converged(project)
    assert "eucs-idam-wordpress-approvers" not in governance(project)


@pytest.mark.usefixtures("applied")
def test_removing_an_application_with_packages(project):
    (project / "applications/payments-api.yaml").unlink()
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert "eucs-idam-payments-api-ledger-auditors" not in governance(project)
    assert "payments-api" not in applications(project)


@pytest.mark.usefixtures("applied")
def test_a_group_may_request_and_an_unknown_group_stops_the_plan(project):
    converged(project)
    policy = governance(project)["eucs-idam-hr-self-service-line-managers"]["policies"][0]
    assert policy["allowedTargetScope"] == "specificDirectoryUsers"
    assert [(t["@odata.type"], t.get("groupId")) for t in policy["specificAllowedTargets"]] == [
        ("#microsoft.graph.groupMembers", "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001")]
    edit(project / "applications/hr-self-service.yaml", "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001",
         "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0009")
    result = plan(project)
    assert result.code == 1
    line = next(n for n, text in enumerate((project / "applications/hr-self-service.yaml").read_text().splitlines(), 1)
                if "0009" in text)
    assert (f"applications/hr-self-service.yaml:{line}:11: error: group 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0009 is not "
            "in the tenant") in result.err


def graph(project, method: str, path: str, body=None) -> dict:
    """A request to the embedded tenant through the emulator's API, as another team's tooling would make it."""
    import asyncio

    import httpx

    from idamconf.emulator import Store, create_app

    async def send():
        app = create_app(Store(project / ".idamconf" / "local.db"))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.localhost/v1.0/",
                                     headers={"Authorization": "Bearer other-team"}) as client:
            response = await client.request(method, path, json=body)
            assert response.status_code < 300, response.text
            return response.json() if response.content else {}

    return asyncio.run(send())


def test_another_teams_package_with_the_same_name_is_never_taken_over(project):
    live_warns_of(project, "review.required")  # packages without a review: tests/cli/harness.py
    edit(project / WORDPRESS, """    accessPackage:
      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]
      accessReview:
        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]
        frequencyDays: 180       # every 6 months
""", "")
    assert apply(project).code == 0
    gov = "identityGovernance/entitlementManagement"
    catalog = graph(project, "GET", f"{gov}/catalogs")["value"][0]
    theirs = graph(project, "POST", f"{gov}/accessPackages", {"displayName": "eucs-idam-wordpress-writers",
                                                               "description": "Other team's package",
                                                               "catalog": {"id": catalog["id"]}})
    graph(project, "POST", f"{gov}/assignmentPolicies", {"displayName": "theirs", "accessPackage": {"id": theirs["id"]},
                                                          "allowedTargetScope": "allMemberUsers"})
    edit(project / WORDPRESS, "    description: Drafts and edits posts; cannot publish.\n",
         "    description: Drafts and edits posts; cannot publish.\n    accessPackage:\n"
         "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n")
    result = apply(project)
    assert result.code == 1
    # said where the Writer role's package is written (not another role's of the file), with its fix
    assert result.err.startswith(
        f"{project / WORDPRESS}:31:7: error: access package 'eucs-idam-wordpress-writers' already exists in catalog "
        "'EUCS IDAM applications' and is not managed by project 'eucs-idam'\n    fix: give this package another name "
        "(accessPackage.name, or accessPackages[].name); idamconf never takes over another team's package\n"), \
        result.err
    policy = [p for p in tenant(project)["objects"]["assignmentPolicies"] if p["displayName"] == "theirs"]
    assert len(policy) == 1  # untouched
    assert governance(project)["eucs-idam-wordpress-writers"]["roles"] == []


RENAMES = {  # file, the text renaming its package to "their package", where the message places the package
    "role": (WORDPRESS, ("    accessPackage:               # named eucs-idam-wordpress-administrators by default\n",
                         "    accessPackage:\n      name: their package\n"), "21:7"),
    "own": ("applications/hr-self-service.yaml", ("  - name: eucs-idam-hr-new-line-managers\n",
                                                   "  - name: their package\n    renamedFrom: "
                                                   "eucs-idam-hr-new-line-managers\n"), "46:5"),
}


@pytest.mark.parametrize("listed", ["as-listed", "reversed"])
@pytest.mark.parametrize("renamed", sorted(RENAMES))
@pytest.mark.parametrize("theirs_has_a_policy", [True, False], ids=["another-teams", "empty"])
def test_a_rename_into_a_name_another_package_holds_is_refused_by_the_plan(project, monkeypatch, theirs_has_a_policy,
                                                                            renamed, listed):
    """Graph refuses to give a package a name its catalog holds (409 DuplicateAccessPackage), whoever holds it --
    another team's package, or an empty one a create would take over. The plan refused only a create of such a name:
    a rename was planned, then failed half-way through the apply (and a package of its own renamed into an empty
    package's name was mixed with it: the empty one's name and the other's policy). In whatever order Graph lists
    the packages (it documents none)."""
    from idamconf import workflow

    if listed == "reversed":
        original = workflow.live_governance
        monkeypatch.setattr(workflow, "live_governance", lambda apps, catalogs, resources, packages, *rest, **named:
                            original(apps, catalogs, resources, packages[::-1], *rest, **named))
    assert apply(project).code == 0
    gov = "identityGovernance/entitlementManagement"
    catalog = graph(project, "GET", f"{gov}/catalogs")["value"][0]
    theirs = graph(project, "POST", f"{gov}/accessPackages", {"displayName": "Their Package", "catalog":
                                                               {"id": catalog["id"]}})
    if theirs_has_a_policy:
        graph(project, "POST", f"{gov}/assignmentPolicies", {"displayName": "theirs", "accessPackage":
                                                              {"id": theirs["id"]}, "allowedTargetScope": "allMemberUsers"})
    before = governance(project)
    file, (text, renaming), where = RENAMES[renamed]
    edit(project / file, text, renaming)  # (names are compared in any case, as Graph does)
    refused_by_plan_and_apply(project, f"{project / file}:{where}: error: access package 'their package' already "
                              "exists in catalog 'EUCS IDAM applications' and is not managed by project 'eucs-idam'\n")
    assert governance(project) == before  # nothing written


def test_a_rename_into_the_name_another_of_the_projects_packages_gives_up_is_said_to_take_two_applies(project):
    """A package of its own renamed into the name the project's role package has, which that package gives up in the
    same change: Graph refuses the rename while the other holds the name (409 DuplicateAccessPackage), and one plan
    cannot say which package is which. The plan refused it as if another team held the name ("is not managed by
    project"); it says what happens instead, and the two applies it names converge."""
    hr = project / "applications/hr-self-service.yaml"
    assert apply(project).code == 0
    before = governance(project)
    frees = ("      name: eucs-idam-hr-record-administrators\n", "      name: eucs-idam-hr-record-keepers\n")
    takes = ("  - name: eucs-idam-hr-new-line-managers\n",
             "  - name: eucs-idam-hr-record-administrators\n    renamedFrom: eucs-idam-hr-new-line-managers\n")
    edit(hr, *frees)
    edit(hr, *takes)
    refused_by_plan_and_apply(
        project, f"{hr}:46:5: error: access package 'eucs-idam-hr-record-administrators' takes the name that another "
        "package of project 'eucs-idam' holds in catalog 'EUCS IDAM applications' "
        "('eucs-idam-hr-record-administrators'), which the configuration now names otherwise or no longer "
        "declares: Graph refuses a name its catalog holds, and one apply cannot free it first\n"
        "    fix: rename in two applies: first apply the other package's change with this one keeping its name, "
        "then this rename\n")
    assert governance(project) == before  # nothing written
    edit(hr, takes[1], takes[0])  # as the fix says: the other package's change first
    assert apply(project).code == 0
    converged(project)
    edit(hr, *takes)
    assert apply(project).code == 0
    converged(project)
    after = governance(project)
    assert after["eucs-idam-hr-record-keepers"]["roles"] == ["HR.Administrator"]
    assert sorted(after["eucs-idam-hr-record-administrators"]["roles"]) == ["HR.Employee", "HR.Manager"]
    assert "eucs-idam-hr-new-line-managers" not in after


def test_a_named_package_moves_to_another_application_in_one_apply(project):
    live_warns_of(project, "review.required")  # packages without a review: tests/cli/harness.py
    edit(project / WORDPRESS, "    accessPackage:\n      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
         "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
         "        frequencyDays: 180",
         "    accessPackage:\n      name: shared-pkg\n      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
         "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
         "        frequencyDays: 180")
    assert apply(project).code == 0
    edit(project / WORDPRESS, "    accessPackage:\n      name: shared-pkg\n      approvers: [grace.comms@contoso.com, "
         "alice.admin@contoso.com]\n      accessReview:\n        reviewers: [grace.comms@contoso.com, "
         "frank.audit@contoso.com]\n        frequencyDays: 180       # every 6 months\n", "")
    payments = project / "applications/payments-api.yaml"
    payments.write_text(payments.read_text() + "  - displayName: Writer\n    value: Pay.Writer\n    description: moved\n"
                        "    accessPackage:\n      name: shared-pkg\n"
                        "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n")
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    converged(project)
    assert governance(project)["shared-pkg"]["roles"] == ["Pay.Writer"]


@pytest.mark.usefixtures("applied")
def test_a_role_whose_value_changes_keeps_its_package_and_role_scope(project):
    """A role adopted by id keeps its id when its value changes: its package's role scope still grants that role, so
    nothing about the scope changes -- the plan said it would update it, and apply never did (nor said so), and the
    plan never converged."""
    from idamconf.config.model import role_id

    edit(project / WORDPRESS, "    value: Blog.Writer\n",
         f"    value: Blog.Author\n    id: {role_id('wordpress', 'Blog.Writer')}\n")
    result = plan(project)
    assert "~ app.wordpress.role.Blog.Author  (update)" in result.out
    # the step Graph requires first is part of that change, and bears its address (the new value), not the old one
    assert "~ app.wordpress.role.Blog.Author  (disable first: Graph changes or removes only disabled roles)" \
        in result.out
    assert "app.wordpress.role.Blog.Writer" not in result.out
    assert 'value : "Blog.Writer" → "Blog.Author"' in result.out
    assert "role_scope" not in result.out and "Plan: 0 to add, 1 to change, 0 to destroy." in result.out
    applied = apply(project)
    assert applied.code == 0, applied.err
    assert "Apply complete: 0 added, 1 changed, 0 destroyed." in applied.out
    converged(project)
    assert governance(project)["eucs-idam-wordpress-writers"]["roles"] == ["Blog.Author"]


def test_an_application_of_other_environments_leaves_the_packages_of_the_next_ones_planned(project):
    """An application not in the environment planned (here the first of the files) is passed over, not the end of
    the packages: those of every application after it are still planned."""
    edit(project / "applications/ccms-provider-portal.yaml", "tags: [laa]\n", "tags: [laa]\nenvironments: [live]\n")
    result = plan(project)
    assert result.code == 0, result.err
    assert "app.ccms-provider-portal" not in result.out
    lines = [" ".join(line.split()) for line in result.out.splitlines()]
    for package in ("app.expenses.access_package[eucs-idam-expenses-claimants]",
                    "app.payments-api.role.Payments.Auditor.access_package",
                    "app.wordpress.role.Blog.Writer.access_package"):
        assert f"+ {package} (create)" in lines, package


@pytest.mark.usefixtures("applied")
def test_a_catalog_idamconf_made_that_no_file_names_is_read_beside_the_directory(project, monkeypatch):
    """A catalog idamconf created for the project (known by its description) that no file names any more may still
    hold the project's applications: its resources are asked as soon as the catalogs are listed, beside the
    directory's reads -- not after them, when the plan's last round would wait for it. Here the service principals'
    list is answered only once the catalogs are listed and the loop has taken a few steps; by then that catalog's
    resources are asked."""
    import asyncio
    import functools
    from urllib.parse import unquote

    from idamconf.graph import client as graph_client

    gov = "identityGovernance/entitlementManagement"
    retired = graph(project, "POST", f"{gov}/catalogs", {
        "displayName": "Retired applications", "description": "Access packages managed by idamconf (eucs-idam)."})
    asked, read_when_answered = [], []
    catalogs_listed = functools.cache(asyncio.Event)  # made in the plan's own loop, at its first use
    get_all = graph_client.GraphClient.get_all

    @functools.wraps(get_all)
    async def listed(self, path, keep=None):
        shown = unquote(path)
        asked.append(shown)
        found = await get_all(self, path, keep)
        if shown.startswith(f"{gov}/catalogs?"):
            catalogs_listed().set()
        if shown.startswith("servicePrincipals?"):
            await asyncio.wait_for(catalogs_listed().wait(), 60)  # a regression fails, never hangs
            for _ in range(20):  # a few steps of the loop: the resources' request starts in the catalogs' step
                await asyncio.sleep(0)
            read_when_answered.append([p for p in asked if p.startswith(f"{gov}/catalogs/")])
        return found

    monkeypatch.setattr(graph_client.GraphClient, "get_all", listed)
    result = plan(project)
    assert result.code == 0 and "No changes." in result.out, (result.out, result.err)
    resources = f"{gov}/catalogs/{retired['id']}/resources"
    assert read_when_answered and any(p.startswith(resources) for p in read_when_answered[0]), read_when_answered


def test_one_group_written_by_its_name_and_its_id_is_one_approver_where_two_are_required(project):
    """Validate counts the approvers written (it reads no tenant): a group by its name and again by its id passes
    there as two. The plan counts the people they name: where the rule is an error, it is refused, and nothing is
    written; where it is a warning, validate's word stands."""
    group = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001"  # HR line managers (examples/emulator/directory.yaml)
    edit(project / "applications/wordpress.yaml", "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
         "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
         "        frequencyDays: 180",
         f"      approvers: [{{group: HR line managers}}, {{group: {group.upper()}}}]\n      accessReview:\n"
         f"        reviewers: [{{group: hr LINE managers}}, {{group: {group}}}]\n        frequencyDays: 180")
    assert plan(project).code == 0  # local: the rules are warnings there
    edit(project / "idamconf.yaml", "    verifiedDomains: [contoso.com]\n  devl:",
         "    verifiedDomains: [contoso.com]\n    rules: {approvers.two: error, reviewers.two: error}\n  devl:")
    result = plan(project)
    assert result.code == 1 and "Plan:" not in result.out
    assert "applications/wordpress.yaml:31:" in result.err
    assert ("error: the 2 approvers written are 1 in environment local (group:hr line managers): one group or person "
            "written two ways; the organisation requires at least two [approvers.two]") in result.err
    assert "error: the 2 reviewers written are 1 in environment local" in result.err
    assert apply(project).code == 1 and not tenant(project)["objects"].get("accessPackages")


@pytest.mark.parametrize("members", [["grace.comms@contoso.com"], [],
                                     ["grace.comms@contoso.com", "carol.hr@contoso.com"]], ids=["only-the-other-approver", "nobody", "a-second-person"])
def test_a_group_whose_only_member_is_the_other_approver_is_one_approver_where_two_are_required(project, members):
    """A group named beside a person counts as one more approver in validate (it reads no tenant). The plan reads
    the groups' direct members with the look-up it makes anyway (`$expand=members`): a group holding no one but the
    other approver (or nobody) leaves one person, and where the rule is an error the plan is refused at the file's
    line, nothing written. A second person in the group, or a rule that is a warning, lets it through."""
    seed = project / "emulator/directory.yaml"
    edit(seed, "displayName: HR line managers,", f"displayName: HR line managers, members: [{', '.join(members)}],")
    edit(project / "applications/wordpress.yaml",
         "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
         "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
         "        frequencyDays: 180",
         "      approvers: [grace.comms@contoso.com, {group: HR line managers}]\n      accessReview:\n"
         "        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n        frequencyDays: 180")
    assert plan(project).code == 0  # local: the rules are warnings there
    edit(project / "idamconf.yaml", "    verifiedDomains: [contoso.com]\n  devl:",
         "    verifiedDomains: [contoso.com]\n    rules: {approvers.two: error}\n  devl:")
    result = plan(project)
    if len(members) == 2:
        assert result.code == 0, result.err
        return
    assert result.code == 1 and "Plan:" not in result.out
    line = next(n for n, text in enumerate((project / "applications/wordpress.yaml").read_text().splitlines(), 1)
                if "{group: HR line managers}" in text)
    held = f"1 member: {members[0]}" if members else "0 members: nobody"
    assert (f"applications/wordpress.yaml:{line}:18: error: the 2 approvers written are 1 person in environment local "
            f"(grace.comms@contoso.com; group:hr line managers has {held}): a group holds no one but the other "
            "approvers written; the organisation requires at least two [approvers.two]") in result.err, result.err
    assert "fix: add a second approver who is not in the group, or a second member to the group" in result.err
    assert apply(project).code == 1 and not tenant(project)["objects"].get("accessPackages")


@pytest.mark.usefixtures("applied")
def test_removing_a_package_someone_holds_removes_their_assignment_first(project):
    """Graph deletes no access package anyone is assigned (accesspackage-delete.md), and the emulator refuses it
    too: the plan says the assignments go, and apply removes them (an administrator's removal each), then the
    package -- the person loses the role it gave them, and a second apply has nothing to do."""
    package, user = _holds_wordpress_approvers(project)
    assert len(graph(project, "GET", f"users/{user['id']}/appRoleAssignments")["value"]) == 1
    result = plan(project)
    assert ("WARNING: destroying app.wordpress.role.Blog.Approver.access_package first removes the 1 assignment(s) "
            "people hold to it (Graph deletes no access package anyone is assigned): they lose the role it gives them"
            ) in result.out, result.out
    assert result.out.count("WARNING") == 1
    applied = apply(project, "--allow-delete")
    assert applied.code == 0, applied.err
    assert "eucs-idam-wordpress-approvers" not in governance(project)
    assert graph(project, "GET", f"identityGovernance/entitlementManagement/assignments?$filter=accessPackage/id eq "
                          f"'{package['id']}'")["value"] == []
    assert graph(project, "GET", f"users/{user['id']}/appRoleAssignments")["value"] == []
    converged(project)


def _holds_wordpress_approvers(project) -> tuple[dict, dict]:
    """carol.hr is assigned eucs-idam-wordpress-approvers, and the Approver role (with its package) leaves the file:
    the package and carol, as Graph gives them."""
    governance_path = "identityGovernance/entitlementManagement"
    package = next(p for p in graph(project, "GET", f"{governance_path}/accessPackages")["value"]
                   if p["displayName"] == "eucs-idam-wordpress-approvers")
    policy = graph(project, "GET", f"{governance_path}/assignmentPolicies?$filter=accessPackage/id eq "
                                   f"'{package['id']}'")["value"][0]
    user = graph(project, "GET", "users/carol.hr@contoso.com")
    graph(project, "POST", f"{governance_path}/assignmentRequests", {"requestType": "adminAdd", "assignment": {
        "targetId": user["id"], "assignmentPolicyId": policy["id"], "accessPackageId": package["id"]}})
    text = (project / WORDPRESS).read_text()
    start = text.index("  - displayName: Approver")
    end = text.index("        unreviewed: keep\n", start) + len("        unreviewed: keep\n")
    (project / WORDPRESS).write_text(text[:start] + text[end:])
    return package, user


@pytest.mark.usefixtures("applied")
def test_nothing_of_a_package_goes_until_graph_has_removed_its_assignments(project, monkeypatch):
    """Graph removes assignments after answering the requests: apply looks again until none is left, and only then
    deletes the package's policy, role scope and itself -- an apply that stopped meanwhile would leave the package
    whole, for the next one to find."""
    from idamconf import apply_access
    from tests.safety.wire import Scripted

    from .harness import faulted

    _holds_wordpress_approvers(project)
    real, calls = apply_access.package_assignments.current, []

    async def slowly(client, package_id):
        calls.append(package_id)
        found = await real(client, package_id)
        # the plan's look (1), the removal's (2), then two looks that still find one, as Graph shows one being removed
        return [{"id": "being-removed", "state": "delivered"}] if len(calls) in (3, 4) else found
    monkeypatch.setattr(apply_access.package_assignments, "current", slowly)
    recorded = Scripted()
    faulted(monkeypatch, recorded)
    applied = apply(project, "--allow-delete")
    assert applied.code == 0, applied.err
    received = [f"{method} {path}" for method, path in recorded.received]
    looks = [index for index, line in enumerate(received) if line.startswith("GET") and "/assignments" in line]
    gone = [index for index, line in enumerate(received) if line.startswith("DELETE")
            and ("assignmentPolicies/" in line or "/resourceRoleScopes/" in line or "/accessPackages/" in line)]
    assert len(calls) >= 4 and looks and gone and max(looks) < min(gone), received
    assert "eucs-idam-wordpress-approvers" not in governance(project)


@pytest.mark.usefixtures("applied")
def test_a_refused_read_of_a_packages_assignments_fails_its_application_and_the_apply_reports(project, monkeypatch):
    from tests.safety.wire import Rule, Scripted, graph_error

    from .harness import faulted

    _holds_wordpress_approvers(project)
    looks = []

    def apply_reads_them(request) -> bool:  # the plan's read is answered; apply's (the second on) refused
        if request.method == "GET" and request.path.endswith("/assignments"):
            looks.append(request)
            return len(looks) > 1
        return False
    refused = Rule(apply_reads_them, graph_error(403, "Authorization_RequestDenied"), times=100)
    faulted(monkeypatch, Scripted([refused]))
    result = apply(project, "--allow-delete")
    assert result.code == 1
    assert "Apply incomplete" in result.out + result.err and "403 Authorization_RequestDenied" in result.out + result.err
    assert "error: app.wordpress.role.Blog.Approver.access_package: 403 Authorization_RequestDenied" in \
        result.out + result.err, result.out + result.err  # the package's step, named as such
    assert "eucs-idam-wordpress-approvers" in governance(project)  # nothing of it taken apart
