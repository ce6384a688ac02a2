"""An application an apply removed, added back within 30 days: Graph keeps it in deleted items and refuses a create
by its uniqueName meanwhile (docs/emulator.md, "Deleted applications"); idamconf restores it (plan/restore.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import jsonschema
import pytest

from idamconf.config.schema import schema
from idamconf.emulator import Store
from idamconf.emulator.protocol import Reply
from tests.cli.harness import apply, applications, edit, faulted, idamconf, owners_of, plan, tenant
from tests.cli.test_scenarios import converged
from tests.safety.wire import Rule, Scripted, graph_error

NAME = "staff-directory"


def removed(project, name: str = NAME):
    """The application removed by an apply (--allow-delete), its file kept aside; its appId as it was."""
    app_id = applications(project)[name]["appId"]
    aside = project.parent / f"{name}.yaml"
    shutil.move(project / "applications" / f"{name}.yaml", aside)
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert name not in applications(project)
    return app_id, aside


def back(project, aside, display_name: str = "Staff Directory (restored)"):
    shutil.move(aside, project / "applications" / f"{NAME}.yaml")
    text = (project / "applications" / f"{NAME}.yaml").read_text()
    old = next(line for line in text.splitlines() if line.startswith("displayName:"))
    edit(project / "applications" / f"{NAME}.yaml", old, f"displayName: {display_name}")


@pytest.mark.usefixtures("applied")
def test_an_application_added_back_is_restored_with_its_app_id_and_made_to_match(project):
    app_id, aside = removed(project)
    back(project, aside)
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{NAME}  (restore " in shown.out and "from deleted items, then update" in shown.out, shown.out
    assert f"+ app.{NAME}  (create)" not in shown.out
    saved = plan(project, "--format", "json")
    changes = [c for c in json.loads(saved.out)["changes"] if c["address"] == f"app.{NAME}"]
    assert [(c["action"], c["reason"]) for c in changes] == [("update", "restore")]
    markdown = plan(project, "--format", "markdown").out
    assert "restore" in markdown and "from deleted items, then update" in markdown, markdown
    result = apply(project)
    assert result.code == 0, result.err
    app = applications(project)[NAME]
    assert app["appId"] == app_id and app["displayName"] == "Staff Directory (restored)"
    assert not tenant(project)["objects"].get("deletedApplications")
    converged(project)
    assert apply(project).code == 0
    converged(project)


@pytest.mark.usefixtures("applied")
def test_another_projects_deleted_application_holding_the_name_is_left_alone(project):
    """A deleted application of another project holding a name to create is not this project's to restore: the plan
    reads only the project's deleted applications (by its tag) and shows a create, which Graph refuses while the
    name is held -- apply says so, and the other project's deleted application stays as it was."""
    _, aside = removed(project)
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    (key, doc), = db.execute("SELECT id, doc FROM objects WHERE kind = 'deletedApplications'").fetchall()
    db.close()
    theirs = {**json.loads(doc), "tags": ["idamconf:other"]}
    store = Store(project / ".idamconf" / "local.db")  # now another project's, as if it had deleted it
    store.put("deletedApplications", theirs, key)  # (its tags indexed as the emulator indexes them)
    store.close()
    back(project, aside)
    shown = plan(project)
    assert shown.code == 0 and f"+ app.{NAME}  (create)" in shown.out and "(restore " not in shown.out, shown.out
    result = apply(project)
    assert result.code == 1 and f"The uniqueName '{NAME}' is held by a deleted application" in result.err, result.err
    assert NAME not in applications(project)
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    assert [json.loads(doc) for doc, in db.execute("SELECT doc FROM objects WHERE kind = 'deletedApplications'")] == \
        [theirs]
    db.close()


@pytest.mark.usefixtures("applied")
def test_an_apply_cut_short_after_the_restore_is_finished_by_the_next(project, monkeypatch):
    app_id, aside = removed(project)
    back(project, aside)

    def after_restore(request) -> bool:  # every write of the application once restored
        return request.method == "PATCH" and request.path.startswith("applications/")

    faulted(monkeypatch, Scripted([Rule(after_restore, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    cut = apply(project)
    assert cut.code == 1 and "403 Authorization_RequestDenied" in cut.err, cut.err
    monkeypatch.undo()
    assert applications(project)[NAME]["appId"] == app_id  # restored, not updated
    again = plan(project)
    assert again.code == 0, again.err
    assert f"~ app.{NAME}  (update)" in again.out and "(restore " not in again.out, again.out
    assert apply(project).code == 0
    assert applications(project)[NAME]["displayName"] == "Staff Directory (restored)"
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_deleted_application_the_configuration_no_longer_names_is_left_in_deleted_items(project):
    """The project's deleted applications are read when a plan creates one; only one holding a name to create is
    restored -- another, whose file is gone, stays deleted, and no plan shows it."""
    removed(project)
    (project / "applications" / "added.yaml").write_text(
        "name: added\ndisplayName: Added\nowners: [alice.admin@contoso.com, grace.comms@contoso.com]\n")
    shown = plan(project)
    assert shown.code == 0 and "+ app.added  (create)" in shown.out, shown.out
    assert NAME not in shown.out, shown.out
    assert apply(project).code == 0
    assert NAME not in applications(project) and "added" in applications(project)
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_application_added_back_as_it_was_is_restored_with_its_service_principal_and_owners(project):
    """The file unchanged: the restores are the changes. The application and its service principal (Graph restores
    it apart) come back with their ids and owners, which the plan reads from deleted items (`$expand=owners`) and so
    does not show as added; only what went for good with the service principal -- its consent -- is made again.
    (The human plan of a restore with no attribute to show ended in a ValueError: the widest of no names.)"""
    before = applications(project)[NAME]
    principal = _service_principal(project, before["appId"])
    owners = owners_of(project, NAME)
    app_id, aside = removed(project)
    shutil.move(aside, project / "applications" / f"{NAME}.yaml")
    shown = plan(project)
    assert shown.code == 0, shown.err
    lines = [line for line in shown.out.splitlines() if line.startswith("  ")]
    assert f"  ~ app.{NAME}  (restore {before['id']} from deleted items, then update)" in lines, shown.out
    assert f"  ~ app.{NAME}.service_principal  (restore {principal['id']} from deleted items, then update)" in lines
    assert not [line for line in lines if ".owner." in line], shown.out
    assert "Plan: 1 to add, 2 to change, 0 to destroy." in shown.out, shown.out
    markdown = plan(project, "--format", "markdown").out
    assert f"| `app.{NAME}.service_principal` | restore {principal['id']} from deleted items, then update |" in \
        markdown, markdown
    # their details: said, with no empty diff block under them (session 49), as the human plan says them
    assert f"`app.{NAME}.service_principal` (restore {principal['id']} from deleted items, then update): no " \
        "attribute to change.\n" in markdown and "```diff\n```" not in markdown, markdown
    result = apply(project)
    assert result.code == 0, result.err
    assert f"~ app.{NAME}.service_principal: restored" in result.out, result.out
    assert applications(project)[NAME]["appId"] == app_id
    assert _service_principal(project, app_id)["id"] == principal["id"] and owners_of(project, NAME) == owners
    assert not tenant(project)["objects"].get("deletedServicePrincipals")
    converged(project)


def _service_principal(project, app_id: str) -> dict:
    return next(sp for sp in tenant(project)["objects"]["servicePrincipals"] if sp["appId"] == app_id)


@pytest.mark.usefixtures("applied")
def test_a_restored_applications_federated_credentials_are_made_again(project):
    """A deleted application's federated credentials cannot be listed (Graph documents no list of a deleted item's;
    GET applications/{id}/federatedIdentityCredentials of a deleted id is 404, and failed every such plan): the
    file's are planned as created, by name (an upsert: an update, had the restore brought one back)."""
    name = "hr-directory-sync"
    app_id, aside = removed(project, name)
    shutil.move(aside, project / "applications" / f"{name}.yaml")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{name}  (restore " in shown.out and f"+ app.{name}.federated_credential[github-nightly]  (create)" \
        in shown.out, shown.out
    assert apply(project).code == 0
    assert applications(project)[name]["appId"] == app_id
    assert [c["name"] for c in tenant(project)["objects"]["federatedIdentityCredentials"]] == ["github-nightly"]
    converged(project)


def _restore_of(object_id: str):
    def matches(request) -> bool:
        return request.method == "POST" and request.path == f"directory/deletedItems/{object_id}/restore"
    return matches


@pytest.mark.usefixtures("applied")
def test_a_deleted_item_gone_between_plan_and_apply_stops_its_application_and_says_to_plan_again(project,
                                                                                                monkeypatch):
    """The restore answered 404 and the application is not back either (deleted for good, or its 30 days ran out,
    after the plan): its chain stops with nothing written, saying so plainly -- no traceback, no create in place of
    the restore the plan showed -- and the others' changes are made."""
    import functools

    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=0.001))
    app_id = applications(project)[NAME]["id"]
    _, aside = removed(project)
    back(project, aside)
    edit(project / "applications" / "wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    faulted(monkeypatch, Scripted([Rule(_restore_of(app_id), graph_error(404, "Request_ResourceNotFound"),
                                        times=100)]))
    result = apply(project)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "unexpected" not in result.err, result.err
    assert f"application {app_id} is no longer in deleted items, nor back in the directory" in result.err, result.err
    assert "run plan again" in result.err
    assert NAME not in applications(project)
    assert [app["id"] for app in tenant(project)["objects"]["deletedApplications"]] == [app_id]
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"


@pytest.mark.usefixtures("applied")
def test_a_refused_read_after_a_restore_said_not_found_is_told_as_graphs_refusal(project, monkeypatch):
    """The restore answered 404, and reading the object back is refused (403): that says nothing of the object, so
    apply reports Graph's refusal -- not that the item was deleted for good -- and writes nothing in its place."""
    app_id = applications(project)[NAME]["id"]
    _, aside = removed(project)
    back(project, aside)

    def read_back(request) -> bool:
        return request.method == "GET" and request.path == f"applications/{app_id}"

    faulted(monkeypatch, Scripted([Rule(_restore_of(app_id), graph_error(404, "Request_ResourceNotFound"), times=100),
                                   Rule(read_back, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    result = apply(project)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "unexpected" not in result.err, result.err
    assert "Authorization_RequestDenied" in result.err, result.err
    assert "no longer in deleted items" not in result.err, result.err
    assert NAME not in applications(project)


@pytest.mark.usefixtures("applied")
def test_a_restore_already_done_when_its_answer_says_not_found_is_carried_on(project, monkeypatch):
    """A 404 from a restore that had happened (its answer lost and the repeat not found, or someone restored it
    meanwhile) for the application and for its service principal: both are read back live, and apply goes on."""
    app_id = applications(project)[NAME]["id"]
    sp_id = _service_principal(project, applications(project)[NAME]["appId"])["id"]
    _, aside = removed(project)
    back(project, aside)
    faulted(monkeypatch, Scripted([Rule(_restore_of(app_id), graph_error(404, "Request_ResourceNotFound"), after=True),
                                   Rule(_restore_of(sp_id), graph_error(404, "Request_ResourceNotFound"), after=True)]))
    result = apply(project)
    assert result.code == 0, result.err
    monkeypatch.undo()
    assert applications(project)[NAME]["displayName"] == "Staff Directory (restored)"
    assert _service_principal(project, applications(project)[NAME]["appId"])["id"] == sp_id
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_saved_plan_that_restores_is_applied_and_refused_once_the_item_is_gone(project):
    app_id, aside = removed(project)
    back(project, aside)
    saved = project.parent / "plan.json"
    assert plan(project, "--out", str(saved)).code == 0
    assert [c["reason"] for c in json.loads(saved.read_text())["plan"]["changes"] if c["address"] in (
        f"app.{NAME}", f"app.{NAME}.service_principal")] == ["restore", "restore"]
    kept = project.parent / "kept"
    shutil.copytree(project / ".idamconf", kept)
    store = Store(project / ".idamconf" / "local.db")  # deleted for good after the plan: the plan is stale
    with store.transaction():
        store.delete("deletedApplications", applications_deleted(store)[0])
    store.close()
    stale = idamconf("apply", str(saved), "-C", str(project), "--auto-approve")
    assert stale.code == 1 and "Saved plan is stale" in stale.err and "Run plan again" in stale.err, stale.err
    assert NAME not in applications(project)
    shutil.rmtree(project / ".idamconf")
    shutil.copytree(kept, project / ".idamconf")
    result = idamconf("apply", str(saved), "-C", str(project), "--auto-approve")
    assert result.code == 0, result.err
    assert applications(project)[NAME]["appId"] == app_id
    converged(project)


def applications_deleted(store) -> list[str]:
    return [doc["id"] for doc in store.select("deletedApplications", {}, primary=True)]


@pytest.mark.usefixtures("applied")
def test_a_restored_applications_roles_the_file_changes_are_disabled_first(project):
    """Graph changes or removes only a disabled role (CannotDeleteOrUpdateEnabledEntitlement): a role the file
    renames, or drops, is disabled in a write of its own right after the restore, as for any live application."""
    name, wordpress = "wordpress", project / "applications" / "wordpress.yaml"
    app_id, aside = removed(project, name)
    shutil.move(aside, wordpress)
    edit(wordpress, "  - displayName: Writer\n", "  - displayName: Author\n")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{name}.role.Blog.Writer  (disable first: Graph changes or removes only disabled roles)" in \
        shown.out and f"~ app.{name}  (restore " in shown.out, shown.out
    result = apply(project)
    assert result.code == 0, result.err
    roles = {role["value"]: role for role in applications(project)[name]["appRoles"]}
    assert applications(project)[name]["appId"] == app_id
    assert (roles["Blog.Writer"]["displayName"], roles["Blog.Writer"]["isEnabled"]) == ("Author", True)
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_restored_saml_application_keeps_the_signing_certificate_its_service_provider_trusts(project):
    """The service principal restored (not made anew) keeps its SAML settings and its preferred token-signing
    certificate -- the plan reads them from deleted items, and adds none: a new one would break the service
    provider's trust until its team installed it. Only the claims-mapping policy's assignment, which went with the
    deleted service principal, is made again."""
    name = "ccms-provider-portal"
    thumbprint = _service_principal(project, applications(project)[name]["appId"])[
        "preferredTokenSigningKeyThumbprint"]
    _, aside = removed(project, name)
    shutil.move(aside, project / "applications" / f"{name}.yaml")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{name}.service_principal  (restore " in shown.out, shown.out
    assert "signing_certificate" not in shown.out and f"app.{name}.saml  " not in shown.out, shown.out
    assert f"+ app.{name}.saml.claims_policy  (create)" in shown.out, shown.out
    assert apply(project).code == 0
    principal = _service_principal(project, applications(project)[name]["appId"])
    assert principal["preferredTokenSigningKeyThumbprint"] == thumbprint
    assert len([key for key in principal["keyCredentials"] if key["usage"] == "Verify"]) == 1
    converged(project)


@pytest.mark.usefixtures("applied")
def test_deleted_items_are_read_only_by_a_plan_that_creates_and_service_principals_only_by_one_that_restores(
        project):
    """A plan that creates nothing reads no deleted item; one that creates reads the deleted applications (with their
    owners) in one list; only one that restores reads the deleted service principals too, in one more."""
    apps, principals = ("GET", "directory/deletedItems/microsoft.graph.application"), \
        ("GET", "directory/deletedItems/microsoft.graph.servicePrincipal")

    def reads(*extra) -> tuple[int, int]:
        recorder = Scripted([])
        with pytest.MonkeyPatch.context() as patch:
            faulted(patch, recorder)
            shown = plan(project, *extra)
        assert shown.code == 0, shown.err
        return recorder.count(*apps), recorder.count(*principals)

    assert reads() == (0, 0)
    _, aside = removed(project)
    (project / "applications" / "added.yaml").write_text("name: added\ndisplayName: Added\n"
                                                         "owners: [alice.admin@contoso.com]\n")
    assert reads() == (1, 0)
    back(project, aside)
    assert reads() == (1, 1)


class _OwnersUnseen(Scripted):
    """The deleted applications listed without their owners, as if Graph's expansion of a deleted item's showed
    none (or not all: it shows at most 20)."""

    async def after(self, request, reply):
        if request.path != "directory/deletedItems/microsoft.graph.application" or reply.status != 200:
            return reply
        body = json.loads(reply.body) if isinstance(reply.body, str) else dict(reply.body)
        body["value"] = [{**item, "owners": []} for item in body["value"]]
        return Reply(200, body, dict(reply.headers))


@pytest.mark.usefixtures("applied")
def test_an_owner_the_plan_adds_that_the_restore_brought_back_is_not_a_failure(project, monkeypatch):
    """An owner the plan could not see on the deleted application is planned as added; the restore brings it back
    first, and the add finds it there (apply_recovery.write_checked reads the owners): apply completes."""
    owners = owners_of(project, NAME)
    _, aside = removed(project)
    back(project, aside)
    faulted(monkeypatch, _OwnersUnseen())
    result = apply(project)
    assert result.code == 0, result.err
    assert "+ app.staff-directory.owner.alice.admin@contoso.com: added" in result.out, result.out
    monkeypatch.undo()
    assert owners_of(project, NAME) == owners
    converged(project)


@pytest.mark.usefixtures("applied")
def test_the_service_principal_restored_is_the_last_one_deleted(project):
    """An application's service principal deleted by hand the day before (an apply then made another), and the one
    deleted with the application: both wait in deleted items, the older listed last here. The one restored is the
    one the project had last."""
    import uuid

    app_id = applications(project)[NAME]["appId"]
    _, aside = removed(project)
    (last,) = tenant(project)["objects"]["deletedServicePrincipals"]
    earlier = {**last, "id": str(uuid.uuid4()), "deletedDateTime": a_day_before(last["deletedDateTime"])}
    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        store.put("deletedServicePrincipals", earlier)
    store.close()
    back(project, aside)
    shown = plan(project)
    assert f"~ app.{NAME}.service_principal  (restore {last['id']} from deleted items, then update)" in shown.out, \
        shown.out
    assert apply(project).code == 0
    assert _service_principal(project, app_id)["id"] == last["id"]
    converged(project)


def a_day_before(stamp: str) -> str:
    import datetime as dt

    return (dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.usefixtures("applied")
def test_an_apply_cut_short_between_the_two_restores_restores_the_service_principal_next(project, monkeypatch):
    """An apply stopped after the application's restore and before its service principal's (killed, the network
    lost, the restore refused): the next plan reads the application live, without a live service principal, and
    restores the deleted one -- its object id kept, as the restore promised -- rather than making another (which
    would hold its appId and keep the old one from ever being restored)."""
    app_id = applications(project)[NAME]["appId"]
    sp_id = _service_principal(project, app_id)["id"]
    _, aside = removed(project)
    back(project, aside)
    faulted(monkeypatch, Scripted([Rule(_restore_of(sp_id), graph_error(403, "Authorization_RequestDenied"),
                                        times=100)]))
    cut = apply(project)
    assert cut.code == 1, cut.out + cut.err
    monkeypatch.undo()
    assert applications(project)[NAME]["appId"] == app_id
    again = plan(project)
    assert again.code == 0, again.err
    assert f"~ app.{NAME}.service_principal  (restore {sp_id} from deleted items, then update)" in again.out, \
        again.out
    assert apply(project).code == 0
    assert _service_principal(project, app_id)["id"] == sp_id
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_saml_application_cut_short_before_its_service_principals_restore_keeps_its_signing_certificate(
        project, monkeypatch):
    """The same cut for a SAML application: the next plan reads the live application by its path and the deleted
    service principal's SAML settings, so it restores the certificate the service provider trusts and adds none."""
    name = "ccms-provider-portal"
    app_id = applications(project)[name]["appId"]
    principal = _service_principal(project, app_id)
    _, aside = removed(project, name)
    shutil.move(aside, project / "applications" / f"{name}.yaml")
    faulted(monkeypatch, Scripted([Rule(_restore_of(principal["id"]), graph_error(403, "Authorization_RequestDenied"),
                                        times=100)]))
    assert apply(project).code == 1
    monkeypatch.undo()
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{name}.service_principal  (restore {principal['id']} from deleted items" in shown.out, shown.out
    assert "signing_certificate" not in shown.out and f"app.{name}.saml  " not in shown.out, shown.out
    assert apply(project).code == 0
    restored = _service_principal(project, app_id)
    assert restored["id"] == principal["id"]
    assert restored["preferredTokenSigningKeyThumbprint"] == principal["preferredTokenSigningKeyThumbprint"]
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_application_deleted_outside_idamconf_is_restored_and_its_packages_linked_again(project):
    """wordpress deleted in the portal (not by an apply), its access packages left in the catalog: deleting its
    service principal took its place in the catalog and the role scopes on it along, leaving the packages, with
    their policies, granting nothing. The plan was refused for ever ("not managed by project"), so apply could not
    restore it. Now the plan restores the application and its service principal and takes the emptied packages back
    by id (workflow._restoring): the same packages grant their roles again, and the next plan finds nothing to do."""
    from tests.cli.test_access_packages import governance, graph

    before = package_ids(project, "wordpress")
    assert len(before) == 3
    graph(project, "DELETE", f"applications/{applications(project)['wordpress']['id']}")
    assert all(not governance(project)[name]["roles"] for name in before)  # emptied, policies kept
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert "~ app.wordpress  (restore " in shown.out
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    after = governance(project)
    assert package_ids(project, "wordpress") == before  # the same packages, not new ones
    assert all(after[name]["roles"] and len(after[name]["policies"]) == 1 for name in before)


def package_ids(project, containing: str = "") -> dict[str, str]:
    return {p["displayName"]: p["id"] for p in tenant(project)["objects"]["accessPackages"]
            if containing in p["displayName"]}


@pytest.mark.usefixtures("applied")
def test_a_package_taken_back_is_planned_and_reported_as_taken_back_not_created(project):
    """The emptied packages apply takes back (the test above) were shown as `+ ... (create)`, counted as added, in
    the human, Markdown and JSON plans, and reported `created` by apply: a reviewer read that new packages would be
    made. Each is shown as what apply does -- the package, by its id, taken back, then updated -- as a restore is
    (`~`, its reason, counted as a change), consistently in every rendering; what is truly made again (the role
    scopes, the application's place in the catalog) is still a create."""
    from tests.cli.test_access_packages import graph

    before = package_ids(project, "wordpress")
    graph(project, "DELETE", f"applications/{applications(project)['wordpress']['id']}")
    writer = "app.wordpress.role.Blog.Writer.access_package"
    writer_id = before["eucs-idam-wordpress-writers"]
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"  ~ {writer}  (take back {writer_id}, emptied when its application was deleted, then update)" \
        in shown.out, shown.out
    assert f"+ {writer}  (create)" not in shown.out
    assert f"+ {writer}.role_scope  (create)" in shown.out  # made again: a create
    assert "Plan: 7 to add, 5 to change, 0 to destroy." in shown.out
    markdown = plan(project, "--format", "markdown").out
    assert f"| ✏️ | `{writer}` | take back {writer_id}, emptied when its application was deleted, then update |" \
        in markdown, markdown
    document = json.loads(plan(project, "--format", "json").out)
    jsonschema.Draft202012Validator(schema("plan")).validate(document)  # its reasons: schemas/plan.schema.json's
    change = next(c for c in document["changes"] if c["address"] == writer)
    assert (change["action"], change["reason"], change["ids"]["emptied"]) == ("update", "take-back", writer_id)
    assert (document["summary"]["add"], document["summary"]["change"]) == (7, 5)
    result = apply(project)
    assert result.code == 0, result.err
    assert f"~ {writer}: taken back" in result.out, result.out
    assert package_ids(project, "wordpress") == before
    converged(project)


MANY = [f"owner{n:02d}@contoso.com" for n in range(1, 23)]  # with alice and grace, 24: more than Graph expands
NEWCOMER = "owner23@contoso.com"


def _many_owners(project) -> None:
    """staff-directory owned by 24 people, applied (and one more person in the directory: NEWCOMER)."""
    seed = project.parent / "many-owners.yaml"
    seed.write_text("users:\n" + "".join(f"  - {{id: 1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e01{n:02d}, userPrincipalName: "
                                         f"{upn}, displayName: Owner {n}}}\n"
                                         for n, upn in enumerate([*MANY, NEWCOMER], 1)))
    assert idamconf("emulator", "seed", str(seed), "-C", str(project)).code == 0
    edit(project / "applications" / f"{NAME}.yaml", "  - grace.comms@contoso.com\n",
         "  - grace.comms@contoso.com\n" + "".join(f"  - {upn}\n" for upn in MANY))
    result = apply(project)
    assert result.code == 0, result.err
    assert len(owners_of(project, NAME)) == 24


@pytest.mark.usefixtures("applied")
def test_an_application_of_more_owners_than_graph_expands_deleted_outside_idamconf_is_restored_with_them_all(
        project):
    """Graph expands at most 20 owners of a deleted application (graph/limits.EXPANDED): the plan read 20 of its 24
    and showed the other 4 as owners to add, though the restore brings them back. It asks deleted items which
    deleted applications each owner the file names owns (getUserOwnedObjects): only the owner the file adds since
    is shown to add."""
    from tests.cli.test_access_packages import graph

    _many_owners(project)
    owners = owners_of(project, NAME)
    graph(project, "DELETE", f"applications/{applications(project)[NAME]['id']}")
    edit(project / "applications" / f"{NAME}.yaml", "  - grace.comms@contoso.com\n",
         f"  - grace.comms@contoso.com\n  - {NEWCOMER}\n")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{NAME}  (restore " in shown.out, shown.out
    assert [line.strip() for line in shown.out.splitlines() if f"app.{NAME}.owner." in line] == [
        f"+ app.{NAME}.owner.{NEWCOMER}  (create)"], shown.out
    result = apply(project)
    assert result.code == 0, result.err
    assert owners_of(project, NAME) == owners | {NEWCOMER}
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_package_of_its_own_taken_back_is_shown_and_reported_so_too(project):
    """hr-self-service's package of its own (granting only its roles) is emptied by its deletion as its roles'
    packages are, and taken back the same way (apply_packages builds it with the same steps)."""
    from tests.cli.test_access_packages import graph

    before = package_ids(project, "eucs-idam-hr")
    own = "app.hr-self-service.access_package[eucs-idam-hr-new-line-managers]"
    graph(project, "DELETE", f"applications/{applications(project)['hr-self-service']['id']}")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"  ~ {own}  (take back {before['eucs-idam-hr-new-line-managers']}, emptied when its application was " \
        "deleted, then update)" in shown.out, shown.out
    result = apply(project)
    assert result.code == 0, result.err
    assert f"~ {own}: taken back" in result.out, result.out
    assert package_ids(project, "eucs-idam-hr") == before
    converged(project)


@pytest.mark.usefixtures("applied")
def test_owners_past_the_20_expanded_are_shown_to_add_as_before_when_graph_refuses_to_say_whose_they_are(
        project, monkeypatch):
    """getUserOwnedObjects needs Group.Read.All, which a read identity may not hold: refused (403), the plan is made
    all the same, the owners past the 20 shown to add (the restore brings them back, and apply completes)."""
    from tests.cli.test_access_packages import graph

    _many_owners(project)
    graph(project, "DELETE", f"applications/{applications(project)[NAME]['id']}")

    def asked(request) -> bool:
        return request.method == "POST" and request.path.endswith("getUserOwnedObjects")

    faulted(monkeypatch, Scripted([Rule(asked, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert len([line for line in shown.out.splitlines() if f"+ app.{NAME}.owner." in line]) == 4, shown.out
    assert apply(project).code == 0
    monkeypatch.undo()
    converged(project)
