"""Adopting what already exists: an application made in the portal (by a script, by Terraform), named in its file by
its appId, is shown as `↻ adopt` -- never as a create -- and becomes the project's: the same object and service
principal, no second one; refusals are diagnostics at the appId's line, with nothing written."""

from __future__ import annotations

import json

from .harness import applications, apply, edit, idamconf, plan, tenant
from .test_scenarios import converged

APP_ID = "7a1b2c3d-0000-4000-8000-00000000a001"
ROLE_ID = "11111111-2222-4333-8444-555555555555"
PORTAL_APP = f"""applications:
  - displayName: Legacy Intranet
    appId: {APP_ID}
    web: {{redirectUris: [https://intranet.contoso.com/signin]}}
    appRoles:
      - {{id: {ROLE_ID}, value: Intranet.Editor, displayName: Editor, allowedMemberTypes: [User],
         description: Edits pages., isEnabled: true}}
    servicePrincipal: {{appRoleAssignmentRequired: true}}
    owners: [alice.admin@contoso.com]
"""
FILE = f"""name: intranet
appId: {APP_ID}
displayName: Contoso Intranet
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
web: {{redirectUris: [https://intranet.contoso.com/signin]}}
environments: [local]
appRoles:
  - displayName: Editor
    value: Intranet.Editor
    description: Edits pages.
    id: {ROLE_ID}
"""


def portal_made(project, extra: str = "", file: str = FILE) -> None:
    with open(project / "emulator" / "directory.yaml", "a", encoding="utf-8") as seed:
        seed.write(PORTAL_APP + extra)
    (project / "applications" / "intranet.yaml").write_text(file)


def objects(project, kind: str) -> list[dict]:
    return tenant(project)["objects"].get(kind, [])


def test_a_portal_made_application_is_adopted_not_created(project):
    portal_made(project)
    before = plan(project)
    assert "↻ app.intranet  (adopt: an existing application becomes the project's)" in before.out
    assert "+ app.intranet  (create)" not in before.out
    print(before.out[before.out.index("↻"):][:1500]); assert 'uniqueName  : (none) → "intranet"' in before.out
    assert "Plan: 1 to adopt," in before.out
    legacy = next(a for a in objects(project, "applications") if a["appId"] == APP_ID)
    result = apply(project)
    assert result.code == 0, result.err
    assert "↻ app.intranet: adopted" in result.out and "Apply complete: 1 adopted," in result.out
    converged(project)
    intranet = applications(project)["intranet"]
    assert (intranet["id"], intranet["appId"]) == (legacy["id"], APP_ID)  # the same object
    assert intranet["displayName"] == "Contoso Intranet" and "idamconf:eucs-idam" in intranet["tags"]
    assert [r["id"] for r in intranet["appRoles"]] == [ROLE_ID]  # its role kept its id
    assert len([a for a in objects(project, "applications") if a["appId"] == APP_ID]) == 1
    assert len([s for s in objects(project, "servicePrincipals") if s["appId"] == APP_ID]) == 1


def test_an_adoption_is_its_own_action_in_json(project):
    portal_made(project)
    document = json.loads(plan(project, "--format", "json").out)
    assert document["summary"]["adopt"] == 1
    change = next(c for c in document["changes"] if c["address"] == "app.intranet")
    assert change["action"] == "adopt"


def refused(project, message: str) -> None:
    result = plan(project)
    assert result.code == 1 and "Traceback" not in result.err
    assert message in result.err, result.err
    assert "intranet.yaml:2:" in result.err  # at the appId's line
    assert idamconf("apply", "-C", str(project), "--auto-approve").code == 1
    legacy = [a for a in objects(project, "applications") if a.get("appId") == APP_ID]
    assert all("idamconf:eucs-idam" not in a["tags"] for a in legacy)  # nothing was adopted


def test_an_app_id_not_in_the_tenant_is_refused(project):
    portal_made(project, file=FILE.replace(APP_ID, "7a1b2c3d-0000-4000-8000-00000000ffff"))
    refused(project, "no application with appId 7a1b2c3d-0000-4000-8000-00000000ffff is in the tenant")


def test_an_application_of_another_project_is_refused_naming_it(project):
    portal_made(project, file=FILE)
    edit(project / "emulator" / "directory.yaml", "  - displayName: Legacy Intranet\n",
         "  - displayName: Legacy Intranet\n    tags: [idamconf:payroll]\n")
    refused(project, "is managed by project 'payroll', not this one")


def test_a_role_with_the_same_value_under_another_id_is_reported_not_replaced(project):
    portal_made(project, file=FILE.replace(f"    id: {ROLE_ID}\n", ""))
    result = plan(project)
    assert result.code == 1
    assert f"role Intranet.Editor exists in the application to adopt with id {ROLE_ID}" in result.err
    assert f"add `id: {ROLE_ID}`" in result.err


def test_two_files_adopting_one_application_are_refused(project):
    portal_made(project)
    (project / "applications" / "intranet-copy.yaml").write_text(FILE.replace("name: intranet",
                                                                              "name: intranet-copy"))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1 and f"appId {APP_ID} is also adopted by application" in result.err


def test_an_app_id_written_in_capitals_is_the_same_application(project):
    """Graph returns GUIDs in lower case; one copied in capitals names the same application: adopted, converged, and
    still one application however two files write it."""
    portal_made(project, file=FILE.replace(APP_ID, APP_ID.upper()))
    result = apply(project)
    assert result.code == 0, result.err
    assert "↻ app.intranet: adopted" in result.out
    converged(project)
    assert len([a for a in objects(project, "applications") if a["appId"] == APP_ID]) == 1
    (project / "applications" / "intranet-copy.yaml").write_text(FILE.replace("name: intranet",
                                                                              "name: intranet-copy"))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1 and f"appId {APP_ID} is also adopted by application" in result.err


def test_an_adopted_application_keeps_its_app_id_pinned(project):
    portal_made(project)
    assert apply(project).code == 0
    edit(project / "applications" / "intranet.yaml", APP_ID, "7a1b2c3d-0000-4000-8000-00000000a002")
    result = plan(project)
    assert result.code == 1
    assert f"application intranet has appId {APP_ID} in this tenant, not 7a1b2c3d-0000-4000-8000-00000000a002" \
        in result.err


def test_an_application_whose_unique_name_is_another_is_refused(project):
    portal_made(project)
    edit(project / "emulator" / "directory.yaml", "  - displayName: Legacy Intranet\n",
         "  - displayName: Legacy Intranet\n    uniqueName: legacy-intranet\n")
    refused(project, "already has the uniqueName 'legacy-intranet', which Graph never changes")


def test_show_says_an_application_is_to_adopt_then_that_it_is_the_projects(project):
    portal_made(project)
    plan(project)  # seeds the tenant
    legacy = next(a for a in objects(project, "applications") if a["appId"] == APP_ID)
    before = idamconf("show", "intranet", "-C", str(project))
    assert before.code == 0, before.err
    assert before.out.startswith('↻ app.intranet  "Legacy Intranet" in local')
    assert "not adopted yet" in before.out and f"client id (appId)     {APP_ID}" in before.out
    assert f"object id             {legacy['id']}" in before.out
    assert json.loads(idamconf("show", "intranet", "-C", str(project), "--format", "json").out)["adopted"] is False
    assert apply(project).code == 0
    after = idamconf("show", "intranet", "-C", str(project))
    assert after.out.startswith('app.intranet  "Contoso Intranet" in local') and "not adopted" not in after.out
    assert json.loads(idamconf("show", "intranet", "-C", str(project), "--format", "json").out)["adopted"] is True


def test_an_application_already_as_the_file_wants_is_still_adopted(project):
    """The portal's application already holds everything the file asks, even the project's tag (set by hand): the
    plan still adopts it -- setting the uniqueName -- so that it becomes the project's, not read by app id forever."""
    same = (PORTAL_APP.replace("Legacy Intranet", "Contoso Intranet")
            .replace("    servicePrincipal: {appRoleAssignmentRequired: true}\n", "")
            .replace("owners: [alice.admin@contoso.com]", "owners: [alice.admin@contoso.com, bob.ops@contoso.com]\n"
                     "    tags: [idamconf:eucs-idam]"))
    with open(project / "emulator" / "directory.yaml", "a", encoding="utf-8") as seed:
        seed.write(same)
    (project / "applications" / "intranet.yaml").write_text(FILE)
    before = plan(project)
    assert "↻ app.intranet  (adopt: an existing application becomes the project's)" in before.out, before.out
    adoption = before.out[before.out.index("↻ app.intranet"):].split("\n\n")[0]
    assert adoption.splitlines()[1:] == ['      uniqueName : (none) → "intranet"']  # nothing else to change
    assert apply(project).code == 0
    assert applications(project)["intranet"]["appId"] == APP_ID
    converged(project)


def test_a_service_principal_graph_will_not_show_stops_the_adoption(project, monkeypatch):
    """Reading the service principal of the application to adopt is refused (403): the plan stops naming that read
    -- it never takes the refusal for "it has none" and plans a second service principal Graph would refuse."""
    from tests.safety.wire import Rule, Scripted, graph_error

    from .harness import faulted

    portal_made(project)
    refuse = Rule(lambda request: request.method == "GET" and request.path.startswith("servicePrincipals(appId="),
                  graph_error(403, "Authorization_RequestDenied"), times=1000)
    faulted(monkeypatch, Scripted([refuse]))
    result = plan(project)
    assert result.code == 1 and "Traceback" not in result.err
    assert f"GET servicePrincipals(appId='{APP_ID}')" in result.err, result.err
    assert "app.intranet.service_principal  (create)" not in result.out


def test_an_application_to_adopt_already_holding_the_files_name_is_adopted_not_refused(project):
    """The portal's application already has the uniqueName the file gives it (set by a script, untagged): it is the
    one to adopt, not another application in the way of the name."""
    portal_made(project)
    edit(project / "emulator" / "directory.yaml", "  - displayName: Legacy Intranet\n",
         "  - displayName: Legacy Intranet\n    uniqueName: intranet\n")
    result = plan(project)
    assert result.code == 0, result.err
    assert "↻ app.intranet  (adopt: an existing application becomes the project's)" in result.out


def test_another_application_holding_the_name_of_one_to_adopt_is_refused(project):
    """An application to adopt by its appId, and another (untagged) already holding the uniqueName its file gives
    it: the other one is in the way, whatever is adopted."""
    portal_made(project, extra="  - {displayName: Old Intranet, uniqueName: intranet}\n")
    result = plan(project)
    assert result.code == 1, result.out
    assert "an application named 'intranet' already exists in the tenant (\"Old Intranet\"" in result.err, result.err


INTERNAL_USER = "00000000-0000-0000-0000-222222222222"  # a role Terraform's module adds (Internal.User)
HR_LINE_MANAGERS = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001"  # examples/emulator/directory.yaml
CAROL = "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0003"
WITH_ROLE = FILE + ("  - displayName: Internal User\n    value: Internal.User\n    description: Internal users\n"
                    f"    allowedMemberTypes: [Application, User]\n    id: {INTERNAL_USER}\n")


def _made_by_terraform(project, file: str) -> None:
    """The application to adopt alone, with what Terraform's module adds around it: the Internal.User role, a group
    assigned to it (allowed_groups), and an owner of the service principal only."""
    from tests.safety.graph_view import graph

    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    portal_made(project, file=file)
    plan(project)  # seeds the tenant
    app = graph(project, "GET", f"applications(appId='{APP_ID}')")
    sp = graph(project, "GET", f"servicePrincipals(appId='{APP_ID}')")
    roles = [{k: v for k, v in role.items() if k != "origin"} for role in app["appRoles"]]
    graph(project, "PATCH", f"applications/{app['id']}", {"appRoles": roles + [
        {"id": INTERNAL_USER, "value": "Internal.User", "displayName": "Internal User", "isEnabled": True,
         "description": "Internal users", "allowedMemberTypes": ["Application", "User"]}]})
    graph(project, "POST", f"servicePrincipals/{sp['id']}/owners/$ref",
          {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{CAROL}"})
    graph(project, "POST", f"servicePrincipals/{sp['id']}/appRoleAssignedTo",
          {"principalId": HR_LINE_MANAGERS, "resourceId": sp["id"], "appRoleId": INTERNAL_USER})


def test_the_adoption_plan_shows_what_it_takes_away_from_the_service_principal(project):
    """Adopting reads the service principal's owners and the roles it grants, as a plan of the project's own does
    (found by a review in session 47: they were read only for service principals with the project's tag, so the
    adoption plan said nothing of them and the first plan after it destroyed them -- the group access of every
    definition with allowed groups)."""
    _made_by_terraform(project, WITH_ROLE)
    adopting = plan(project)
    assert "↻ app.intranet" in adopting.out, adopting.out
    assert "- app.intranet.service_principal.owner.carol.hr@contoso.com  (destroy)" in adopting.out, adopting.out
    assert "- app.intranet.assignment[Internal.User/group:HR line managers]  (destroy)" in adopting.out
    assert apply(project, "--allow-delete").code == 0
    converged(project)


def test_the_adoption_plan_makes_nothing_that_is_there(project):
    """What the file states and the tenant has -- the group's assignment, the service principal's owners -- is no
    change of the adoption."""
    _made_by_terraform(project, WITH_ROLE + "servicePrincipal:\n  owners: [alice.admin@contoso.com, "
                       "bob.ops@contoso.com, carol.hr@contoso.com]\nassignments:\n  - role: Internal.User\n"
                       "    groups: [HR line managers]\n")
    adopting = plan(project)
    assert adopting.code == 0, adopting.err
    assert "assignment[" not in adopting.out and "carol" not in adopting.out, adopting.out
    assert apply(project).code == 0
    converged(project)


def test_a_permission_of_an_api_the_tenant_does_not_have_is_left_as_it_is(project):
    """An application requesting a permission of an API with no service principal in this tenant (a client of
    another organisation's API, say): no file can name that API, and export says it leaves the entry as it is in the
    tenant -- so the adoption plan does not take it away either (found by a review in session 47)."""
    from tests.safety.graph_view import graph

    elsewhere = {"resourceAppId": "9a9a9a9a-0000-4000-8000-000000000001",
                 "resourceAccess": [{"id": "9b9b9b9b-0000-4000-8000-000000000002", "type": "Scope"}]}
    _made_by_terraform(project, WITH_ROLE)
    app = graph(project, "GET", f"applications(appId='{APP_ID}')")
    graph(project, "PATCH", f"applications/{app['id']}", {"requiredResourceAccess": [elsewhere]})
    adopting = plan(project)
    assert adopting.code == 0 and "permission[" not in adopting.out, adopting.out
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert graph(project, "GET", f"applications(appId='{APP_ID}')")["requiredResourceAccess"] == [elsewhere]


def _role(index: int) -> dict:
    return {"id": f"00000000-0000-4000-8000-{index:012d}", "value": f"Wide.{index}", "displayName": f"Wide {index}",
            "allowedMemberTypes": ["User"], "description": "A role.", "isEnabled": True}


def test_an_application_the_tenant_holds_with_more_than_700_roles_is_adopted_and_not_grown(project):
    """Graph holds at most 700 app roles and scopes together, but keeps a count already above (one it let through
    earlier) through writes that keep or reduce it ("App role limits"; graph/limits.py [definitions]), as the
    emulator does. validate refused the file that export wrote of such an application, as it is, so it could never
    be adopted. A file naming an appId (an existing application, whose count only the tenant knows) is now a
    warning at validate; the plan compares with the tenant's count and refuses only a file that grows a count past
    700, at appRoles, with nothing written -- as it refuses a new application's."""
    from idamconf.emulator import Store

    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    roles = "".join(f"      - {json.dumps(_role(index))}\n" for index in range(700))
    seeded = PORTAL_APP.replace(PORTAL_APP[PORTAL_APP.index("    appRoles:"):PORTAL_APP.index("    servicePrincipal:")],
                                f"    appRoles:\n{roles}")
    with open(project / "emulator" / "directory.yaml", "a", encoding="utf-8") as seed:
        seed.write(seeded)
    plan(project)  # seeds the tenant
    store = Store(project / ".idamconf" / "local.db")
    held = next(a for a in tenant(project)["objects"]["applications"] if a["appId"] == APP_ID)
    store.put("applications", {**held, "appRoles": [*held["appRoles"], *[{**_role(index), "origin": "Application"}
                                                                       for index in (700, 701)]]})  # let through
    exported = idamconf("export", "-C", str(project), "--app-id", APP_ID)
    assert exported.code == 0, exported.out + exported.err
    checked = idamconf("validate", "-C", str(project))
    assert checked.code == 0, checked.err
    assert "702 app roles and 0 scopes: Graph holds at most 700 together" in checked.err  # a warning
    adopting = plan(project)
    assert adopting.code == 0, adopting.err
    assert "↻ app.legacy-intranet  (adopt" in adopting.out and ".role" not in adopting.out
    assert apply(project).code == 0
    converged(project)
    file = project / "applications" / "legacy-intranet.yaml"
    edit(file, "appRoles:\n", "appRoles:\n  - {displayName: One more, value: Wide.More, description: Grows it.}\n")
    before = tenant(project)
    for command in (plan, apply):
        refused = command(project)
        assert refused.code == 1, refused.out
        line = next(n for n, text in enumerate(file.read_text().splitlines(), 1) if "value: Wide.More" in text)
        assert f"legacy-intranet.yaml:{line}:3: error: appRoles: 703 app roles and 0 scopes: Graph holds at most 700 " \
            "together, disabled ones included, and refuses a write that adds to a count above it; the tenant's " \
            "application holds 702" in refused.err, refused.err
    assert tenant(project) == before  # nothing written
