"""What the team that asked for an application needs from the apply that created it: its client id (appId), object
id and service principal id -- in apply's human, JSON and Markdown reports, and later from `idamconf show APP`."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.safety.wire import Scripted

from .harness import applications, apply, faulted, idamconf, tenant
from .test_access_packages import graph


def tenant_ids(project) -> dict[str, dict]:
    """Each application's ids, as the tenant holds them."""
    principals = {sp["appId"]: sp["id"] for sp in tenant(project)["objects"]["servicePrincipals"]}
    return {f"app.{name}": {"client_id": app["appId"], "object_id": app["id"],
                            "service_principal_id": principals[app["appId"]]}
            for name, app in applications(project).items()}


def test_apply_lists_the_ids_of_each_application_it_created(project):
    result = apply(project)
    assert result.code == 0, result.err
    ids = tenant_ids(project)
    report = result.out.split("Applications created (give the client id to the team that asked for it):\n")[1]
    for address in sorted(ids):
        assert (f"  + {address}\n      client id (appId)     {ids[address]['client_id']}\n"
                f"      object id             {ids[address]['object_id']}\n"
                f"      service principal id  {ids[address]['service_principal_id']}\n") in report
    again = apply(project)
    assert "Applications created" not in again.out  # nothing was created


def test_apply_json_and_markdown_reports_carry_the_ids(project):
    result = apply(project, "--format", "json")
    assert result.code == 0, result.err
    ids = tenant_ids(project)
    report = json.loads(result.out)
    assert report["created_applications"] == [{"address": address, **ids[address]} for address in sorted(ids)]
    (project / "applications" / "payments-api.yaml").write_text(
        (project / "applications" / "payments-api.yaml").read_text().replace("name: payments-api", "name: payments"))
    markdown = apply(project, "--format", "markdown", "--allow-delete")
    assert markdown.code == 0, markdown.err
    created = tenant_ids(project)["app.payments"]
    assert (f"| `app.payments` | `{created['client_id']}` | `{created['object_id']}` | "
            f"`{created['service_principal_id']}` |") in markdown.out
    assert "| application | client id (appId) | object id | service principal id |" in markdown.out
    nothing = json.loads(apply(project, "--format", "json").out)
    assert nothing["created_applications"] == []


def test_show_prints_an_existing_applications_ids(project, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the apply it names works as written from here (it named no -C)
    missing = idamconf("show", "wordpress", "-C", str(project))
    assert missing.code == 1 and "application 'wordpress' is not in environment 'local'" in missing.err
    named = shlex.split(missing.err.split(" first: ", 1)[1].split("\n", 1)[0])
    assert named == ["idamconf", "apply", "-C", str(project), "-e", "local"]
    assert idamconf(*named[1:], "--auto-approve").code == 0
    ids = tenant_ids(project)["app.wordpress"]
    shown = idamconf("show", "wordpress", "-C", str(project))
    assert shown.code == 0, shown.err
    assert shown.out.startswith('app.wordpress  "WordPress Blog" in local (embedded emulator')
    assert f"  client id (appId)     {ids['client_id']}\n" in shown.out
    assert f"  object id             {ids['object_id']}\n" in shown.out
    assert f"  service principal id  {ids['service_principal_id']}\n" in shown.out
    as_json = json.loads(idamconf("show", "wordpress", "-C", str(project), "--format", "json").out)
    assert as_json == {"address": "app.wordpress", "environment": "local", "displayName": "WordPress Blog",
                       "adopted": True, **ids}
    unknown = idamconf("show", "nope", "-C", str(project))
    assert unknown.code == 1 and "no application named 'nope' in the configuration" in unknown.err


def test_a_created_applications_ids_are_the_creations_answers_never_read_back(project, monkeypatch):
    """The ids apply reports, and its later steps use (the application's object id for its writes, the service
    principal's for its owners), are those Graph answered the creations with: reading them back -- the application
    by its name, the service principal by appId -- would cost a request per application of the apply's time and of
    Graph's throttling budget."""
    (project / "applications" / "bare.yaml").write_text(
        "name: bare\ndisplayName: Bare\nowners: [alice.admin@contoso.com]\n")
    scripted = Scripted()
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 0, result.err
    ids = tenant_ids(project)["app.bare"]
    assert (f"  + app.bare\n      client id (appId)     {ids['client_id']}\n"
            f"      object id             {ids['object_id']}\n"
            f"      service principal id  {ids['service_principal_id']}\n") in result.out
    assert scripted.count("GET", f"servicePrincipals(appId='{ids['client_id']}')") == 0
    created = scripted.received.index(("PATCH", "applications(uniqueName='bare')"))
    assert ("GET", "applications(uniqueName='bare')") not in scripted.received[created:]  # (plan reads it before)


@pytest.mark.usefixtures("applied")
def test_show_refuses_an_application_that_lost_the_projects_tag(project):
    """The uniqueName alone does not make an application the project's: without its tag it is someone else's."""
    found = graph(project, "GET", "applications(uniqueName='wordpress')")
    graph(project, "PATCH", f"applications/{found['id']}", {"tags": ["communications"]})
    shown = idamconf("show", "wordpress", "-C", str(project))
    assert shown.code == 1 and found["appId"] not in shown.out
    assert "application 'wordpress' is not in environment 'local' as project eucs-idam's (it is not tagged " \
           "idamconf:eucs-idam)" in shown.err
