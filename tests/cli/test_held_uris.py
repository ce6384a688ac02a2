"""An identifier URI another team's application holds: Graph refuses it (400 Request_MultipleObjectsWithSameKeyValue)
half-way through an apply; the plan says so first, where the file writes the URI (plan/held_uris.py)."""

from __future__ import annotations

import pytest

from .harness import applications, apply, edit, plan, refused_by_plan_and_apply
from .test_access_packages import graph
from .test_changed_reads import recording
from .test_scenarios import converged

LOCAL_TENANT = "00000000-0000-0000-0000-00000000c001"  # examples/idamconf.yaml, environment local
HR = "applications/hr-self-service.yaml"
INTRANET = """name: intranet
displayName: Intranet
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
identifierUris:
  - api://{appId}
  - api://{tenantId}/intranet
notes: The intranet.
"""


def held_refused(project, where: str, uri: str, holder: dict) -> None:
    """Both refuse, first of all their problems, at `where` (file:line:column), naming the application holding it."""
    refused_by_plan_and_apply(
        project, f"{where}: error: identifier URI '{uri}' is held by application 'Their App' (appId {holder['appId']}), "
        "which project 'eucs-idam' does not manage: Graph refuses a URI another application of the tenant holds\n")


def theirs(project, uri: str) -> dict:
    """Another team's application holding `uri`, made as their tooling would make it."""
    return graph(project, "POST", "applications", {"displayName": "Their App", "identifierUris": [uri]})


@pytest.mark.usefixtures("applied")
@pytest.mark.parametrize("change", ["update", "create", "saml", "another-case"])
def test_a_uri_another_teams_application_holds_is_refused_by_the_plan_where_the_file_writes_it(project, change):
    """Graph keeps identifier URIs unique in any case: one held in capitals is refused as well (the emulator's
    look-up compared them exactly, and the apply failed on the write)."""
    if change in ("update", "another-case"):
        held, file, where = "https://hr.contoso.com/held", HR, "16:5"
        edit(project / HR, "  - https://hr.contoso.com/api ", f"  - https://hr.contoso.com/api\n  - {held} ")
    elif change == "create":  # a URI written with {tenantId}, held with the environment's tenant id in its place
        held, file, where = f"api://{LOCAL_TENANT}/intranet", "applications/intranet.yaml", "6:5"
        (project / file).write_text(INTRANET)
    else:  # a SAML application's identifier URI is its entity id
        held, file, where = "https://hr.contoso.com/pui", "applications/pui.yaml", "23:15"
        edit(project / file, "    entityId: PUI ", f"    entityId: {held} ")
    other = theirs(project, "https://HR.contoso.com/HELD" if change == "another-case" else held)
    before = applications(project)
    held_refused(project, f"{project / file}:{where}", held, other)
    assert applications(project) == before  # nothing written


def test_only_the_uris_a_plan_adds_are_looked_up(project, monkeypatch):
    """A plan adding no identifier URI asks Graph nothing more; one adding one asks once for it. A URI naming
    {appId} is its application's own, and the project's own applications' URIs are the configuration's to move."""
    asked = recording(monkeypatch)
    assert plan(project).code == 0  # of an empty tenant: every application created
    looked_up = sorted(path for path in asked if "identifierUris/any" in path)
    assert looked_up == [f"applications?$filter=identifierUris/any(u:u eq '{uri}')&$select=id,appId,displayName,"
                         "uniqueName,tags" for uri in sorted([  # every URI but those naming {appId}, once
                             f"api://{LOCAL_TENANT}/eucs-idam-payments-api", "https://hr.contoso.com/api", "PUI",
                             "urn:amazon:cognito:sp:eu-west-2_Ab12Cd34E"])]
    assert apply(project).code == 0
    asked.clear()
    converged(project)
    assert not [path for path in asked if "identifierUris/any" in path]
    edit(project / HR, "  - https://hr.contoso.com/api ", "  - https://hr.contoso.com/api\n  - https://hr.contoso.com/v2 ")
    assert "+ \"https://hr.contoso.com/v2\"" in plan(project).out
    assert [path for path in asked if "identifierUris/any" in path] == [
        "applications?$filter=identifierUris/any(u:u eq 'https://hr.contoso.com/v2')"
        "&$select=id,appId,displayName,uniqueName,tags"]


@pytest.mark.usefixtures("applied")
def test_a_uri_longer_than_graphs_filter_matches_is_not_looked_up(project):
    """Graph's `eq` on directory objects matches at most 120 characters (known issues) and refuses a longer value:
    a plan adding such a URI is made as before the look-up existed -- it failed, its look-up refused."""
    long = "https://hr.contoso.com/" + "x" * (121 - len("https://hr.contoso.com/"))
    edit(project / HR, "  - https://hr.contoso.com/api ", f"  - https://hr.contoso.com/api\n  - {long} ")
    result = plan(project, "--detailed-exitcode")
    assert result.code == 2 and f'+ "{long}"' in result.out, result.err


@pytest.mark.usefixtures("applied")
def test_a_uri_taken_while_its_application_was_in_deleted_items_is_refused_before_the_restore(project):
    """An application of the project removed and then added back is restored from deleted items, URIs and all;
    Graph refuses the restore if another team's application took one of them meanwhile. The plan counted the deleted
    application's URIs as held, and the apply failed on the restore: it now says so where the file writes the URI."""
    import shutil

    aside = project.parent / "hr-self-service.yaml"
    shutil.move(project / HR, aside)
    assert apply(project, "--allow-delete").code == 0
    shutil.move(aside, project / HR)
    assert "(restore " in plan(project).out  # the restore, as it is planned with nothing in the way
    other = theirs(project, "https://hr.contoso.com/api")
    before = applications(project)
    held_refused(project, f"{project / HR}:15:5", "https://hr.contoso.com/api", other)
    assert applications(project) == before and "hr-self-service" not in before  # nothing written, nothing restored
