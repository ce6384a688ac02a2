"""`idamconf export`: the tenant's applications written as files a person would write, which plan then adopts (or,
for the project's own, finds unchanged) -- never dropping silently what a file cannot say."""

from __future__ import annotations

import json
import shlex
import shutil

import pytest
import yaml

from idamconf.emulator import Store

from ..safety.wire import Rule, Scripted, graph_error
from .harness import applications, apply, edit, faulted, idamconf, plan, tenant
from .test_adoption import APP_ID, PORTAL_APP, ROLE_ID
from .test_scenarios import converged


def export(project, *args):
    result = idamconf("export", "-C", str(project), *args)
    assert "Traceback" not in result.err
    return result


@pytest.mark.parametrize("listing", [False, True], ids=["looked-up", "listed"])
def test_the_projects_own_applications_export_to_files_that_plan_finds_unchanged(project, monkeypatch, listing):
    """Both ways export reads: a few applications' service principals and relationships looked up one by one, or
    (from export/read.ALL_PRINCIPALS_FROM applications, lowered here) every service principal listed with them."""
    if listing:
        monkeypatch.setattr("idamconf.export.read.ALL_PRINCIPALS_FROM", 1)
    assert apply(project).code == 0
    files = sorted((project / "applications").glob("*.yaml"))
    for path in files:
        path.unlink()
    result = export(project, "--all")
    assert result.code == 0, result.err
    assert f"Exported {len(files)} application(s)" in result.out
    written = yaml.safe_load((project / "applications" / "wordpress.yaml").read_text())
    assert written["identifierUris"] == ["api://{appId}"]  # its own app id, as a placeholder
    assert [r["id"] for r in written["appRoles"]]  # explicit role ids
    assert written["appRoles"][0]["accessPackage"]["approvers"]  # approvers as user principal names
    exported = {path.stem: yaml.safe_load(path.read_text()) for path in (project / "applications").glob("*.yaml")}
    assert exported["payments-api"]["servicePrincipal"] == {"hideFromUsers": True}  # as the portal names it
    assert exported["orders-api"]["api"]["preAuthorizedApplications"] == [  # a client of the export, by its name
        {"name": "orders-portal", "scopes": ["Orders.Read", "Orders.Submit"]}]
    converged(project)


def test_a_portal_made_application_is_exported_adopted_and_then_unchanged(project):
    with open(project / "emulator" / "directory.yaml", "a", encoding="utf-8") as seed:
        seed.write(PORTAL_APP)
    plan(project)  # seeds the tenant
    legacy = next(a for a in tenant(project)["objects"]["applications"] if a["appId"] == APP_ID)
    result = export(project, "--app-id", APP_ID)
    assert result.code == 0, result.err
    path = project / "applications" / "legacy-intranet.yaml"
    written = path.read_text()
    assert written.startswith("# yaml-language-server: $schema=")
    reference = written.splitlines()[0].split("$schema=", 1)[1]
    assert (path.parent / reference).is_file()  # resolves where the configuration is, as new app's line does
    document = yaml.safe_load(written)
    assert document["appId"] == APP_ID and document["name"] == "legacy-intranet"
    assert document["appRoles"][0]["id"] == ROLE_ID
    adopting = plan(project)
    assert "↻ app.legacy-intranet  (adopt" in adopting.out and "+ app.legacy-intranet  (create)" not in adopting.out
    assert apply(project).code == 0
    converged(project)
    adopted = applications(project)["legacy-intranet"]
    assert (adopted["id"], adopted["appId"]) == (legacy["id"], APP_ID)
    assert len([s for s in tenant(project)["objects"]["servicePrincipals"] if s["appId"] == APP_ID]) == 1


def test_what_a_file_cannot_say_is_said_not_dropped(project):
    plan(project)
    store = Store(project / ".idamconf" / "local.db")
    from idamconf.emulator.directory import _new_application

    with store.transaction():
        made = _new_application(store, {"displayName": "Daemon", "requiredResourceAccess": []})
        made["passwordCredentials"] = [{"keyId": "00000000-0000-0000-0000-000000000001", "hint": "abc"}]
        store.put("applications", made)
    store.close()
    result = export(project, "--app-id", made["appId"])
    assert "passwordCredentials: 1 client secret(s)" in result.err
    text = (project / "applications" / "daemon.yaml").read_text()
    assert "#   - passwordCredentials: 1 client secret(s)" in text
    assert "owners: the application has no user owner" in result.err  # and validation says what to add
    assert result.code == 1


@pytest.mark.usefixtures("applied")
def test_a_file_is_never_overwritten_without_force(project):
    other = project / "applications" / "wordpress.yaml"
    mine = other.read_text().replace("name: wordpress", "name: wordpress-two")
    shutil.move(other, project / "applications" / "wordpress-two.yaml")
    # another application's file, and in another environment: not one export may add this environment to
    (project / "applications" / "wordpress.yaml").write_text(
        mine.replace("name: wordpress-two", "name: blog") + "environments: [devl]\n")
    before = (project / "applications" / "wordpress.yaml").read_text()
    result = export(project, "--app-id", applications(project)["wordpress"]["appId"])
    assert result.code == 1 and "exists and is not this application's file" in result.err
    assert (project / "applications" / "wordpress.yaml").read_text() == before
    hand_written = (project / "applications" / "orders-api.yaml").read_text()  # no `environments:`: in every one
    result = export(project, "--app-id", applications(project)["orders-api"]["appId"])
    assert result.code == 1 and "orders-api.yaml holds this application in environment local already" in result.err
    assert (project / "applications" / "orders-api.yaml").read_text() == hand_written
    assert export(project, "--app-id", applications(project)["wordpress"]["appId"], "--force",
                  "--out", str(project.parent / "out")).code == 0


@pytest.mark.usefixtures("applied")
def test_a_file_of_the_applications_name_not_shaped_as_one_is_refused_and_left_as_it_is(project):
    """A file already where export writes, naming the application but with `environments` not a list of names or
    `overrides` not a mapping: nothing is merged into it (no traceback, no write); export says the file is in the
    way, as for any file not this application's."""
    out = project.parent / "out"
    out.mkdir()
    app_id = applications(project)["wordpress"]["appId"]
    for shape in ("environments: null\n", "environments: devl\n", "environments: [devl, 7]\n",
                  "overrides: [devl]\n", "overrides: devl\n"):
        written = "name: wordpress\n" + shape
        (out / "wordpress.yaml").write_text(written)
        result = export(project, "--app-id", app_id, "--out", str(out))
        assert result.code == 1 and "exists and is not this application's file" in result.err, (shape, result.err)
        assert "unexpected" not in result.err
        assert (out / "wordpress.yaml").read_text() == written
        assert sorted(path.name for path in out.iterdir()) == ["wordpress.yaml"]


@pytest.mark.usefixtures("applied")
def test_a_read_graph_refuses_stops_export_before_any_file_is_written(project, monkeypatch):
    """What each read finds is in the file -- an approver, an assignment, the application itself: a file written
    without it would have adopting remove it."""
    app_id, out = applications(project)["wordpress"]["appId"], project.parent / "exported"
    refusing = Scripted()
    faulted(monkeypatch, refusing)
    for what, refused in (("POST directoryObjects/getByIds", lambda r: r.path == "directoryObjects/getByIds"),
                          ("assignments of service principal", lambda r: r.path.endswith("/appRoleAssignedTo")),
                          ("GET applications(appId=", lambda r: r.path.startswith("applications(appId="))):
        refusing.rules = [Rule(refused, graph_error(403, "Authorization_RequestDenied"), times=10)]
        result = export(project, "--app-id", app_id, "--out", str(out))
        assert result.code == 1 and what in result.err and "Authorization_RequestDenied" in result.err, result.err
        assert not out.exists()


REVIEW = ("  review:\n    emulator: true\n    seed: emulator/directory.yaml\n"
          "    tenantId: 00000000-0000-0000-0000-00000000c001\n    verifiedDomains: [contoso.com]\n")


def test_a_second_environment_joins_the_file_with_what_differs_there(project):
    edit(project / "idamconf.yaml", "  devl:\n", REVIEW + "  devl:\n")
    edit(project / "applications/payments-api.yaml", "tags: [finance, pci]\n",
         "tags: [finance, pci]\nenvironments: [local]\n")
    assert apply(project).code == 0
    out = project.parent / "exported"
    assert export(project, "--tag", "idamconf:eucs-idam", "--out", str(out)).code == 0
    edit(project / "applications/payments-api.yaml", "environments: [local]\n", "environments: [local, review]\n")
    edit(project / "applications/payments-api.yaml", "displayName: Payments API", "displayName: Payments (review)")
    assert apply(project, "--env", "review").code == 0
    result = export(project, "-e", "review", "--app-id", applications_in(project, "review")["payments-api"]["appId"],
                    "--out", str(out))
    assert result.code == 0, result.err
    document = yaml.safe_load((out / "payments-api.yaml").read_text())
    assert document["environments"] == ["local", "review"]
    assert document["displayName"] == "Payments API"
    assert document["overrides"]["review"]["displayName"] == "Payments (review)"
    assert document["overrides"]["review"]["appId"] != document["appId"]
    assert sorted(document["overrides"]["review"]) == ["appId", "appRoles", "displayName"]  # only what differs there


def applications_in(project, environment: str) -> dict:
    store = Store(project / ".idamconf" / f"{environment}.db")
    found = {a["uniqueName"]: a for a in store.select("applications", {}) if a.get("uniqueName")}
    store.close()
    return found


def test_which_applications_must_be_said(project):
    for args in ((), ("--all", "--tag", "x")):
        result = export(project, *args)
        assert result.code == 1 and "say which applications to export" in result.err
    result = export(project, "--app-id", "7a1b2c3d-0000-4000-8000-00000000ffff")
    assert result.code == 1 and "no application with appId 7a1b2c3d-0000-4000-8000-00000000ffff" in result.err
    before = sorted(p.name for p in (project / "applications").glob("*.yaml"))
    export(project, "--app-id", "7a1b2c3d-0000-4000-8000-00000000fffe")
    assert sorted(p.name for p in (project / "applications").glob("*.yaml")) == before  # nothing written


PARTNER_ID, CONSUMER_ID = "7a1b2c3d-0000-4000-8000-00000000b001", "7a1b2c3d-0000-4000-8000-00000000b002"
SCOPE_ID, OLD_ROLE_ID = "3f6c1a2b-9d8e-4c7f-a1b2-c3d4e5f60001", "3f6c1a2b-9d8e-4c7f-a1b2-c3d4e5f60002"
# Applications made elsewhere with what idamconf's defaults do not say: another audience, a scope whose id is Graph's
# own (not the one idamconf would derive from its value), a disabled role, more owners than Graph expands, none of
# its enterprise application; and one for personal accounts, whose v2 access tokens are the default for that audience.
MADE_ELSEWHERE = f"""applications:
  - displayName: Partner's Portal
    appId: {PARTNER_ID}
    signInAudience: AzureADMultipleOrgs
    api:
      oauth2PermissionScopes:
        - {{id: {SCOPE_ID}, value: Partner.Read, adminConsentDisplayName: Read partners,
           adminConsentDescription: Reads the partners., type: Admin, isEnabled: true}}
    appRoles:
      - {{id: {OLD_ROLE_ID}, value: Partner.Old, displayName: Old, allowedMemberTypes: [User], isEnabled: false}}
    servicePrincipal: true
    owners: [alice.admin@contoso.com, bob.ops@contoso.com, carol.hr@contoso.com]
  - displayName: Partner's Consumer App
    appId: {CONSUMER_ID}
    signInAudience: AzureADandPersonalMicrosoftAccount
    api: {{requestedAccessTokenVersion: 2}}
    owners: [alice.admin@contoso.com]
"""


def test_what_the_defaults_do_not_say_is_exported_so_applying_the_files_changes_nothing(project, monkeypatch):
    with open(project / "emulator" / "directory.yaml", "a", encoding="utf-8") as seed:
        seed.write(MADE_ELSEWHERE)
    for path in (project / "applications").glob("*.yaml"):
        path.unlink()  # only the two adopted: an apply of nothing else
    plan(project)  # seeds the tenant
    with monkeypatch.context() as expanding:  # Graph expands 20 owners at most; here 2, of the portal's 3
        expanding.setattr("idamconf.emulator.directory_query.MAX_EXPANDED_MEMBERS", 2)
        expanding.setattr("idamconf.export.read.EXPANDED", 2)
        result = export(project, "--display-name-starts-with", "Partner's")  # a quote, escaped in Graph's $filter
    assert result.code == 0, result.err
    consumer = yaml.safe_load((project / "applications" / "partner-s-consumer-app.yaml").read_text())
    assert "api" not in consumer  # the file says only what differs from the defaults
    adopting = json.loads(plan(project, "--format", "json").out)["changes"]
    changes = {c["address"]: (c["action"], [a["path"] for a in c["attributes"]]) for c in adopting
               if c["action"] != "no-op"}
    # adopting writes the application's name and the project's tag, and makes the enterprise application it lacked:
    # nothing of what the files say
    assert changes == {"app.partner-s-portal": ("adopt", ["uniqueName", "tags"]),
                       "app.partner-s-portal.service_principal": ("update", ["tags"]),
                       "app.partner-s-consumer-app": ("adopt", ["uniqueName", "tags"]),
                       "app.partner-s-consumer-app.service_principal": ("create", []),
                       "app.partner-s-consumer-app.service_principal.owner.alice.admin@contoso.com": ("create", [])}


def test_an_application_made_elsewhere_exported_from_two_tenants_is_one_file(project):
    """An application Terraform made in each tenant has no uniqueName: its name comes from its display name. Exported
    from the second tenant into the configuration (docs/migrating.md), it joins the first tenant's file as an
    environment of its own -- it was written `hr-portal-2.yaml`, another application (found by a review in session
    47). A name another file uses in this environment still gets a new one."""
    import asyncio

    import httpx

    from idamconf.emulator.embedded import open_app

    async def made(environment: str) -> None:
        app = open_app(project / ".idamconf" / f"{environment}.db")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost/v1.0",
                                     headers={"Authorization": "Bearer x"}) as client:
            answer = await client.post("applications", json={"displayName": "HR Portal", "web": {
                "redirectUris": ["https://hr.contoso.com/signin"]}})
            await client.post(f"applications/{answer.json()['id']}/owners/$ref", json={
                "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0003"})

    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    edit(project / "idamconf.yaml", "  devl:\n", REVIEW + "  devl:\n")
    for environment in ("local", "review", "review"):  # (two of the name in review)
        assert plan(project, "-e", environment).code == 0  # the tenant seeded
        asyncio.run(made(environment))
    assert export(project, "-e", "local", "--display-name-starts-with", "HR ").code == 0
    result = export(project, "-e", "review", "--display-name-starts-with", "HR ")
    assert result.code == 0, result.err
    files = project / "applications"
    assert sorted(path.name for path in files.glob("*.yaml")) == ["hr-portal-2.yaml", "hr-portal.yaml"]
    document = yaml.safe_load((files / "hr-portal.yaml").read_text())
    assert document["environments"] == ["local", "review"] and document["overrides"]["review"]["appId"]
    assert yaml.safe_load((files / "hr-portal-2.yaml").read_text())["environments"] == ["review"]
    (files / "hr-portal-2.yaml").unlink()
    document.pop("environments"), document.pop("overrides")  # a file for every environment is never joined
    (files / "hr-portal.yaml").write_text(yaml.safe_dump(document))
    more = project.parent / "more"
    assert export(project, "-e", "review", "--display-name-starts-with", "HR ", "--out", str(more)).code == 0
    assert sorted(path.name for path in more.glob("*.yaml")) == ["hr-portal-2.yaml", "hr-portal-3.yaml"]


@pytest.mark.usefixtures("applied")
def test_a_selection_no_application_matches_writes_nothing_and_says_so(project):
    result = export(project, "--tag", "no-such-tag")
    assert result.code == 0 and "No application of the tenant matched the selection: nothing was written." in result.out
    assert "valid with them" not in result.out


def test_the_plan_export_says_to_run_next_is_the_one_that_adopts(project, monkeypatch, tmp_path):
    """Run as written from where export was run, the command it names plans the environment exported from, in the
    configuration exported into (it said `idamconf plan`, which from elsewhere found no idamconf.yaml, and in this
    configuration would have planned its default environment, where the file is not)."""
    edit(project / "idamconf.yaml", "  devl:\n", REVIEW + "  devl:\n")
    with open(project / "emulator" / "directory.yaml", "a", encoding="utf-8") as seed:
        seed.write(PORTAL_APP)
    monkeypatch.chdir(tmp_path)
    result = export(project, "-e", "review", "--app-id", APP_ID)
    assert result.code == 0, result.err
    command = result.out.split("run `", 1)[1].split("`", 1)[0]
    assert command.startswith("idamconf plan ")
    adopting = idamconf(*shlex.split(command)[1:], "--no-colour")
    assert "↻ app.legacy-intranet  (adopt" in adopting.out, adopting.out + adopting.err
