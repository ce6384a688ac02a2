"""An application's `name` is Graph's uniqueName, which cannot change. A new name therefore replaces the application
-- the plan marks it `-/+` "forces replacement", with what is lost (the client id, its assignments...) and how to
keep it -- unless `renamedFrom:` names the name it was created under: then the application, its client id and its
roles' ids stay, and only what follows the name (derived package names) changes."""

from __future__ import annotations

import json

import pytest

from idamconf.config.model import role_id

from .harness import EXAMPLE_APPLICATIONS, applications, apply, edit, idamconf, plan
from .test_federated_credentials import SYNC, add_in_the_portal
from .test_scenarios import converged

BLOG = "applications/wordpress.yaml"


@pytest.mark.usefixtures("applied")
def test_a_new_name_forces_replacement_and_says_what_is_lost(project):
    client_id = applications(project)["wordpress"]["appId"]
    edit(project / BLOG, "name: wordpress", "name: blog")
    result = plan(project)
    lines = result.out.splitlines()
    first = lines.index("Deletions and replacements (listed first; each is shown again with the other changes):")
    assert lines[first + 1] == ("  -/+ app.wordpress  (forces replacement by app.blog: `name` is Graph's uniqueName, "
                                "which cannot change)")
    assert lines[first + 2] == (f"        lost: the client id {client_id}, and with the application its service "
                                "principal: its users' and groups' role assignments, consents, credentials and "
                                "sign-in settings; 3 access package(s) granting its roles, with everyone's "
                                "assignments")
    assert lines[first + 3] == ("        to rename it instead and keep the application: write renamedFrom: wordpress "
                                "beside name: blog")
    as_json = json.loads(plan(project, "--format", "json").out)
    assert as_json["replaced_applications"] == [{"address": "app.wordpress", "by": "app.blog"}]
    assert "app.wordpress" in as_json["replacements"]
    comment = plan(project, "--format", "markdown").out
    assert f"| ♻️ | `app.wordpress` | forces replacement by app.blog: `name` is Graph's uniqueName, which cannot " \
           f"change; lost: the client id {client_id}" in comment
    refused = apply(project)  # a replacement takes access away
    assert refused.code == 1 and "-/+ app.wordpress  (forces replacement by app.blog" in refused.err


@pytest.mark.usefixtures("applied")
def test_renamed_from_keeps_the_application_its_client_id_and_roles(project):
    before = applications(project)["wordpress"]
    edit(project / BLOG, "name: wordpress", "name: blog\nrenamedFrom: wordpress")
    result = plan(project)
    assert result.code == 0, result.err
    assert "Plan: 0 to add, 6 to change, 0 to destroy." in result.out and "-/+" not in result.out
    assert "forces" not in result.out
    assert '~ app.blog.role.Blog.Writer.access_package  (update)' in result.out
    assert 'displayName : "eucs-idam-wordpress-writers" → "eucs-idam-blog-writers"' in result.out
    applied = apply(project)
    assert applied.code == 0, applied.err
    converged(project)
    after = applications(project)
    assert set(after) == EXAMPLE_APPLICATIONS  # its uniqueName never changes: wordpress, not blog
    assert (after["wordpress"]["appId"], after["wordpress"]["id"]) == (before["appId"], before["id"])
    assert {r["id"] for r in after["wordpress"]["appRoles"]} == {r["id"] for r in before["appRoles"]} == {
        role_id("wordpress", value) for value in ("Blog.Administrator", "Blog.Writer", "Blog.Approver")}
    shown = idamconf("show", "blog", "-C", str(project))
    assert shown.code == 0 and f"client id (appId)     {before['appId']}" in shown.out


@pytest.mark.usefixtures("applied")
def test_what_only_the_tenant_holds_of_a_renamed_application_is_destroyed_under_the_name_the_tenant_knows(project):
    """What only the tenant holds of a renamed application is destroyed under the name the tenant knows it by (the
    name it was created under), every kind alike: the owners read with the application, and a federated credential
    read after it, under the application's live address -- the tenant's even where the application is otherwise
    unchanged and shares the wanted attributes (plan/resources.add_live shares an address only if equal)."""
    add_in_the_portal(project, "portal-one", "repo:contoso/other:ref:refs/heads/main")
    edit(project / SYNC, "name: hr-directory-sync\n", "name: directory-sync\nrenamedFrom: hr-directory-sync\n")
    edit(project / SYNC, "  - bob.ops@contoso.com\n", "")
    destroyed = [line.strip() for line in plan(project).out.splitlines() if line.endswith("(destroy)")]
    expected = ["- app.hr-directory-sync.federated_credential[portal-one]  (destroy)",
                "- app.hr-directory-sync.owner.bob.ops@contoso.com  (destroy)",
                "- app.hr-directory-sync.service_principal.owner.bob.ops@contoso.com  (destroy)"]
    assert sorted(destroyed) == sorted(expected * 2)  # each twice: deletions come first, then among the changes


def test_renamed_from_cannot_name_another_application(project):
    edit(project / BLOG, "name: wordpress", "name: blog\nrenamedFrom: payments-api")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "renamedFrom: 'payments-api' names the application payments-api of" in result.err
    edit(project / BLOG, "renamedFrom: payments-api", "renamedFrom: Payments API")
    assert "renamedFrom: 'Payments API' is not a valid value here" in idamconf("validate", "-C", str(project)).err


@pytest.mark.usefixtures("applied")
def test_renamed_from_keeps_what_main_added_too(project):
    """An API with scopes and a pre-authorised client, that client, an application with assignments and service
    principal owners, and a daemon with consented permissions, all renamed: none has a derived name (no access
    package), so nothing changes in the tenant -- every resource of theirs is keyed by the name they were created
    under -- and the references by name (a pre-authorised client) follow the new names."""
    renames = {"orders-api": "orders-service", "orders-portal": "orders-web", "expenses": "claims",
               "hr-directory-sync": "directory-sync"}
    for old, new in renames.items():
        edit(project / f"applications/{old}.yaml", f"name: {old}\n", f"name: {new}\nrenamedFrom: {old}\n")
    edit(project / "applications/orders-api.yaml", "- name: orders-portal", "- name: orders-web")
    result = plan(project)
    assert result.code == 0, result.err
    assert "No changes. The tenant matches the configuration." in result.out
    shown = idamconf("show", "claims", "-C", str(project))
    assert shown.code == 0 and applications(project)["expenses"]["appId"] in shown.out
    edit(project / "applications/orders-api.yaml", "- name: orders-web", "- name: orders-portal")
    stale = plan(project)  # the old name is no application of this configuration any more
    assert stale.code == 1 and "orders-portal" in stale.err


@pytest.mark.usefixtures("applied")
def test_a_new_name_and_display_name_are_matched_to_the_old_by_identifier_uri(project):
    """Renamed and retitled at once, the application is still recognised by the identifier URI it keeps (two
    applications cannot hold one at once): the plan says the old one is replaced, and how to keep it instead."""
    hr = "applications/hr-self-service.yaml"
    edit(project / hr, "name: hr-self-service", "name: people-portal")
    edit(project / hr, "displayName: HR Self-Service Portal", "displayName: People Portal")
    result = plan(project)
    assert "  -/+ app.hr-self-service  (forces replacement by app.people-portal: `name` is Graph's uniqueName" \
        in result.out, result.out
    assert "write renamedFrom: hr-self-service beside name: people-portal" in result.out


@pytest.mark.usefixtures("applied")
def test_a_display_name_is_matched_in_any_case_as_graph_compares_names(project):
    edit(project / BLOG, "name: wordpress", "name: blog")
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: WORDPRESS BLOG")
    assert "  -/+ app.wordpress  (forces replacement by app.blog:" in plan(project).out


@pytest.mark.usefixtures("applied")
def test_one_new_application_takes_the_place_of_one_old_one_only(project):
    """Two applications renamed to one: the new one replaces one of them; the other is a plain deletion."""
    hr = "applications/hr-self-service.yaml"
    edit(project / hr, "displayName: HR Self-Service Portal", "displayName: WordPress Blog")
    apply(project)
    (project / hr).unlink()
    edit(project / BLOG, "name: wordpress", "name: blog")
    out = plan(project).out
    replaced = [line for line in out.splitlines() if "(forces replacement by app.blog:" in line]
    assert len(replaced) == 1, out


@pytest.mark.usefixtures("applied")
def test_a_replacement_counts_only_its_own_applications_packages_as_lost(project):
    """Another application removed in the same plan takes its own packages: they are not the replaced one's loss."""
    edit(project / BLOG, "name: wordpress", "name: blog")
    (project / "applications" / "hr-self-service.yaml").unlink()  # its packages go too
    result = plan(project)
    assert "- app.hr-self-service  (destroy)" in result.out
    assert "sign-in settings; 3 access package(s) granting its roles, with everyone's assignments" in result.out
