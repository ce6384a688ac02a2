"""Drift: a change made in the tenant outside idamconf (a redirect URI added in the portal) is shown apart from a
pull request's own changes (plan --base REF: the base's configuration is what was last applied), and found by
`idamconf drift` (exit 2) in a scheduled job."""

from __future__ import annotations

import json
import shlex

import jsonschema

import pytest

from idamconf.config.schema import schema

from .harness import applications, apply, edit, idamconf, plan
from .test_access_packages import graph
from .test_pull_request_flow import committed, configuration_repository, git

BLOG = "applications/wordpress.yaml"
PORTAL_URI = "https://blog.contoso.com/portal-added"
URIS = ["https://blog.contoso.com/wp-login.php", "https://blog.contoso.com/wp-admin/"]


def portal_edit(project, name: str, body: dict) -> None:
    """What someone does in the Entra admin centre: the application changed, not through idamconf."""
    found = graph(project, "GET", f"applications(uniqueName='{name}')")
    graph(project, "PATCH", f"applications/{found['id']}", body)


def drift(project, *extra: str):
    return idamconf("drift", "-C", str(project), "--no-colour", *extra)


@pytest.mark.usefixtures("applied")
def test_drift_finds_a_portal_edit_and_exits_2(project, monkeypatch, tmp_path):
    clean = drift(project)
    assert clean.code == 0 and "No drift: local matches the configuration." in clean.out
    portal_edit(project, "wordpress", {"web": {"redirectUris": [*URIS, PORTAL_URI]}})
    found = drift(project)
    assert found.code == 2, found.err
    assert "Changed outside idamconf since the configuration was last applied (compared with this configuration)" \
        in found.out
    assert f'~ app.wordpress  (update)\n      web.redirectUris : - "{PORTAL_URI}"' in found.out
    assert f"Drift: local differs from the configuration in 1 place(s). `idamconf apply -C {project} -e local` puts it " \
        "back" in found.out
    as_json = json.loads(drift(project, "--format", "json").out)
    assert as_json["drift"]["addresses"] == ["app.wordpress"]
    issue = drift(project, "--format", "markdown").out
    assert issue.startswith("<!-- idamconf-drift -->\n### idamconf drift in `local` (eucs-idam)")
    assert "#### Changed outside idamconf (drift)" in issue
    monkeypatch.chdir(tmp_path)  # the command it names works as written, from anywhere (it named no -C)
    puts_back = shlex.split(found.out.split("Drift: ", 1)[1].split("`")[1])
    assert idamconf(*puts_back[1:], "--auto-approve").code == 0 and drift(project).code == 0  # apply put it back


def pull_request(project) -> None:
    """main applied; then a portal edit on payments-api, and a branch changing wordpress's display name."""
    configuration_repository(project)
    portal_edit(project, "payments-api", {"displayName": "Payments (edited in the portal)"})
    git(project, "checkout", "-q", "-b", "rename-blog")
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    git(project, "commit", "-qam", "Rename the blog")


def test_a_pull_requests_plan_shows_drift_apart(project):
    pull_request(project)
    result = plan(project, "--base", "main")
    assert result.code == 0, result.err
    out = result.out
    drift_at, own_at = out.index("Changed outside idamconf since"), out.index("This change's own changes:")
    assert drift_at < own_at
    assert "compared with main (" in out[drift_at:own_at]
    assert '~ app.payments-api  (update)\n      displayName : "Payments (edited in the portal)" → "Payments API"' \
        in out[drift_at:own_at]
    assert "app.wordpress" not in out[drift_at:own_at]
    assert '~ app.wordpress  (update)\n      displayName : "WordPress Blog" → "Company Blog"' in out[own_at:]
    assert "app.payments-api" not in out[own_at:]
    comment = plan(project, "--base", "main", "--format", "markdown").out
    assert comment.index("#### Changed outside idamconf (drift)") < comment.index("**This change's own changes:**")
    drift_table = comment[comment.index("**Drift**, apart:"):comment.index("**This change's own changes:**")]
    assert "| ✏️ | `app.payments-api` | update |" in drift_table and "wordpress" not in drift_table
    saved = json.loads(plan(project, "--base", "main", "--format", "json").out)
    assert saved["drift"]["addresses"] == ["app.payments-api"] and saved["drift"]["base"].startswith("main (")
    jsonschema.Draft202012Validator(schema("plan")).validate(saved)  # as schemas/plan.schema.json says


def test_a_change_that_overwrites_a_portal_edit_says_so(project):
    pull_request(project)
    portal_edit(project, "wordpress", {"web": {"redirectUris": [*URIS, PORTAL_URI]}})
    result = plan(project, "--base", "main")
    assert "~ app.wordpress  (update; also changed outside idamconf (web.redirectUris): this overwrites it)" \
        in result.out
    overwritten = json.loads(plan(project, "--base", "main", "--format", "json").out)["drift"]["overwritten"]
    assert overwritten == [{"address": "app.wordpress", "paths": ["web.redirectUris"]}]
    assert f'web.redirectUris : - "{PORTAL_URI}"' in result.out


def test_without_drift_the_plan_says_so_and_a_broken_base_only_warns(project):
    configuration_repository(project)
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    clean = plan(project, "--base", "HEAD")
    assert "No changes outside idamconf since the configuration was last applied (compared with HEAD (" in clean.out
    (project / "applications" / "broken.yaml").write_text("name: [\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "broken")
    (project / "applications" / "broken.yaml").unlink()
    warned = plan(project, "--base", "HEAD")
    assert warned.code == 0 and "does not validate, so drift is not shown apart" in warned.err
    assert "outside idamconf" not in warned.out and "Company Blog" in warned.out
    refused = plan(project, "--base", "--output=x")
    assert refused.code == 1 and "--base: a git ref cannot be empty or begin with '-'" in refused.err


@pytest.mark.usefixtures("applied")
def test_drift_finds_what_was_removed_in_the_portal_of_a_service_principals_assignments_and_owners(project):
    """The kinds a service principal holds (its app role assignments, its owners) drift like the application's."""
    principal = graph(project, "GET", "servicePrincipals?$filter=displayName eq 'Expenses'")["value"][0]
    granted = graph(project, "GET", f"servicePrincipals/{principal['id']}/appRoleAssignedTo")["value"]
    group = next(a for a in granted if a["principalType"] == "Group")
    graph(project, "DELETE", f"servicePrincipals/{principal['id']}/appRoleAssignedTo/{group['id']}")
    owner = graph(project, "GET", f"servicePrincipals/{principal['id']}/owners")["value"][0]
    graph(project, "DELETE", f"servicePrincipals/{principal['id']}/owners/{owner['id']}/$ref")
    found = drift(project)
    assert found.code == 2, found.err
    drifted = json.loads(drift(project, "--format", "json").out)["drift"]["addresses"]
    assert drifted == sorted(["app.expenses.assignment[Internal.User/group:Expenses claimants]",
                              f"app.expenses.service_principal.owner.{owner['userPrincipalName']}"])
    assert apply(project).code == 0 and drift(project).code == 0  # apply put them back


@pytest.mark.usefixtures("applied")
def test_drift_compares_with_the_configuration_as_it_is_in_the_environment(project):
    """A value an override gives in this environment is what was applied there: a portal edit of it is drift."""
    edit(project / BLOG, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  local:\n    displayName: WordPress Blog (local)\n")
    assert apply(project).code == 0 and drift(project).code == 0
    portal_edit(project, "wordpress", {"displayName": "Blog (edited in the portal)"})
    found = drift(project)
    assert found.code == 2, found.err
    outside = found.out.split("Changed outside idamconf since the configuration was last applied")[1]
    assert '~ app.wordpress  (update)\n      displayName : "Blog (edited in the portal)" → "WordPress Blog (local)"' \
        in outside, found.out
    assert "Drift: local differs from the configuration in 1 place(s)." in found.out


@pytest.mark.usefixtures("applied")
def test_an_owner_a_change_removes_is_its_own_change_and_not_drift(project):
    """The base's people are looked up too: an owner named only by the base is what was last applied, so the change
    removing them is the change's own, not something done outside idamconf (also in a file of some environments)."""
    from .test_safety import seed

    seed(project, "users:\n  - {userPrincipalName: henry.web@contoso.com}\n")
    edit(project / BLOG, "  - grace.comms@contoso.com\nsignIn", "  - grace.comms@contoso.com\n"
         "  - henry.web@contoso.com\nenvironments: [local, devl]\nsignIn")
    committed(project)
    assert apply(project, "--rebind-project").code == 0  # (the tenant was applied from the directory before git)
    edit(project / BLOG, "  - henry.web@contoso.com\n", "")
    result = plan(project, "--base", "main")
    assert result.code == 0, result.err
    assert "No changes outside idamconf since the configuration was last applied (compared with main (" in result.out
    assert "- app.wordpress.owner.henry.web@contoso.com  (destroy)" in result.out, result.out


def test_drift_says_when_the_files_differ_from_what_git_holds(project):
    """drift compares the tenant with the files as they are: a file edited and not committed shows as drift, and
    the command says so on stderr -- a scheduled job runs it on the applied branch, where nothing is uncommitted
    (a new user's walkthrough, session 47). The state idamconf keeps (.idamconf/) is not an edit."""
    from .test_deletion_provenance import committed as committed_here

    (project / ".gitignore").write_text(".idamconf/\n")
    committed_here(project)
    assert apply(project).code == 0
    clean = drift(project)
    assert clean.code == 0 and "differ from git's HEAD" not in clean.err, clean.err
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: The Blog")
    edited = drift(project)
    assert edited.code == 2
    assert ("note: 1 file(s) of the configuration differ from git's HEAD (e.g. applications/wordpress.yaml): drift "
            "compares the tenant with the files as they are") in edited.err, edited.err


GOVERNANCE = "identityGovernance/entitlementManagement"


def taken_out_of_its_catalog(project, display_name: str) -> None:
    """What someone does outside idamconf: the application's role taken off every package granting it, then its
    service principal removed from the catalog (Graph refuses the removal while a package uses its roles)."""
    principal = graph(project, "GET", f"servicePrincipals?$filter=displayName eq '{display_name}'")["value"][0]
    packages = graph(project, "GET", f"{GOVERNANCE}/accessPackages?$expand=resourceRoleScopes($expand=role,scope)")
    for package in packages["value"]:
        for scope in package["resourceRoleScopes"]:
            if scope["scope"]["originId"] == principal["id"]:
                scopes = f"{GOVERNANCE}/accessPackages/{package['id']}/resourceRoleScopes"
                graph(project, "DELETE", f"{scopes}/{scope['id']}")
    for catalog in graph(project, "GET", f"{GOVERNANCE}/catalogs")["value"]:
        if any(item["originId"] == principal["id"]
               for item in graph(project, "GET", f"{GOVERNANCE}/catalogs/{catalog['id']}/resources")["value"]):
            graph(project, "POST", f"{GOVERNANCE}/resourceRequests", {
                "requestType": "adminRemove", "catalog": {"id": catalog["id"]},
                "resource": {"originId": principal["id"], "originSystem": "AadApplication"}})


def test_a_catalog_place_removed_outside_idamconf_is_drift_in_a_pull_requests_plan_of_some_files(project):
    """staff-directory is in the catalog only because hr-self-service's package of its own grants its role. Someone
    took that grant away and staff-directory out of the catalog; a pull request then changes staff-directory alone.
    The full plan labelled the catalog place drift, but the pull request's (--changed-since: only staff-directory's
    file planned) made the base's resources of staff-directory alone, without the place another file's package
    gives it, and called putting the place back the pull request's own change ("No changes outside idamconf")."""
    directory = "applications/staff-directory.yaml"
    edit(project / directory, "tags: [intranet]\n",
         "tags: [intranet]\nappRoles:\n  - {displayName: Reader, value: Directory.Reader, description: Reads.}\n")
    edit(project / "applications/hr-self-service.yaml", "      - role: HR.Manager\n",
         "      - role: HR.Manager\n      - {application: staff-directory, role: Directory.Reader}\n")
    configuration_repository(project)
    taken_out_of_its_catalog(project, "Staff Directory")
    git(project, "checkout", "-q", "-b", "rename-directory")
    edit(project / directory, "displayName: Staff Directory", "displayName: Staff Finder")
    git(project, "commit", "-qam", "Rename the directory")
    place = "app.staff-directory.catalog[EUCS IDAM applications]"
    for narrowed in ([], ["--changed-since", "main"]):
        result = plan(project, "--base", "main", *narrowed)
        assert result.code == 0, result.err
        outside, own = result.out.split("This change's own changes:")
        assert f"+ {place}  (create)" in outside and place not in own, (narrowed, result.out)
        assert '~ app.staff-directory  (update)\n      displayName : "Staff Directory" → "Staff Finder"' in own
        saved = json.loads(plan(project, "--base", "main", *narrowed, "--format", "json").out)
        assert place in saved["drift"]["addresses"], narrowed


def test_an_application_deleted_outside_idamconf_is_drift_restored_and_taken_back(project):
    """wordpress deleted in the portal since main was applied: its restore, its service principal's and the take-back
    of the packages the deletion emptied undo a change made outside idamconf -- drift, as the role scopes made again
    are. They were shown as the pull request's own changes: the resources read from deleted items (and the emptied
    packages) equal what main applied, so nothing looked changed outside. What is only in deleted items, or emptied,
    is not held by the tenant as main left it."""
    configuration_repository(project)
    graph(project, "DELETE", f"applications/{applications(project)['wordpress']['id']}")
    result = plan(project, "--base", "main")
    assert result.code == 0, result.err
    outside = result.out.split("This change's own changes:")[0]
    for address in ("app.wordpress  (restore ", "app.wordpress.service_principal  (restore ",
                    "app.wordpress.role.Blog.Writer.access_package  (take back ",
                    "app.wordpress.role.Blog.Writer.access_package.role_scope  (create)"):
        assert f"~ {address}" in outside or f"+ {address}" in outside, (address, result.out)
    drifted = json.loads(plan(project, "--base", "main", "--format", "json").out)["drift"]["addresses"]
    assert {"app.wordpress", "app.wordpress.service_principal",
            "app.wordpress.role.Blog.Writer.access_package"} <= set(drifted)
    scheduled = json.loads(drift(project, "--format", "json").out)["drift"]["addresses"]  # `idamconf drift` too
    assert {"app.wordpress", "app.wordpress.role.Blog.Writer.access_package"} <= set(scheduled)


def test_an_application_the_project_removed_and_a_change_adds_back_is_the_changes_own_restore(project):
    """The other side: main removed staff-directory (applied, so it waits in deleted items); a pull request adds its
    file back. Its restore is the change's own, and overwrites nothing done outside idamconf."""
    from .test_restore import NAME, removed

    configuration_repository(project)
    app_id, aside = removed(project)
    git(project, "commit", "-qam", "Remove the directory")
    git(project, "checkout", "-q", "-b", "bring-it-back")
    aside.rename(project / "applications" / f"{NAME}.yaml")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "Bring it back")
    result = plan(project, "--base", "main")
    assert result.code == 0, result.err
    assert "No changes outside idamconf since the configuration was last applied" in result.out, result.out
    own = result.out.split("This change's own changes:")[1]
    assert f"~ app.{NAME}  (restore " in own and "outside idamconf" not in own, result.out
