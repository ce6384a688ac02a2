"""Federated credentials (issue 19): the example's GitHub Actions trust reaches Graph as Graph names it (read back
through the typed SDK with nothing left over), per environment; a changed subject is an update, a removed credential
needs --allow-delete, one added in the portal to an application that manages them is planned away, and a file
without the key leaves the application's credentials alone."""

from __future__ import annotations

import json

import httpx
import pytest

from idamconf.config.load import load_configuration
from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import assert_no_leftovers, sdk_run

from .harness import applications, apply, edit, idamconf, plan
from .test_scenarios import converged

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
SYNC = "applications/hr-directory-sync.yaml"
NLE_SUBJECT = "repo:contoso/hr-directory-sync:environment:nle"
ADDRESS = "app.hr-directory-sync.federated_credential[github-nightly]"


def read_back(project, name: str = "hr-directory-sync"):
    async def read(client):
        app = next(a for a in (await client.applications.get()).value if a.unique_name == name)
        return (await client.applications.by_application_id(app.id).federated_identity_credentials.get()).value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        credentials = sdk_run(emulator.base_url, read)
    assert_no_leftovers(*credentials)
    return credentials


def add_in_the_portal(project, name: str, subject: str) -> None:
    app = applications(project)["hr-directory-sync"]
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        response = httpx.post(f"{emulator.base_url}/applications/{app['id']}/federatedIdentityCredentials",
                              headers={"Authorization": "Bearer portal"}, trust_env=False,
                              json={"name": name, "issuer": "https://token.actions.githubusercontent.com",
                                    "subject": subject, "audiences": ["api://AzureADTokenExchange"]})
    assert response.status_code == 201, response.text


def test_the_example_trusts_its_pipeline_with_no_secret(project):
    first = apply(project)
    assert first.code == 0, first.err
    assert f"{ADDRESS}: created" in first.out
    converged(project)
    [credential] = read_back(project)
    assert (credential.name, credential.issuer, credential.subject, credential.audiences, credential.description) == \
        ("github-nightly", "https://token.actions.githubusercontent.com", NLE_SUBJECT, ["api://AzureADTokenExchange"],
         "The nightly sync job of contoso/hr-directory-sync, in its nle environment.")
    assert applications(project)["hr-directory-sync"]["passwordCredentials"] == []  # no secret at all


def test_each_environment_gets_its_own_subject(project):
    """live trusts only the job of the live GitHub environment; the other tenants, only nle's."""
    app = next(a for a in load_configuration(project).applications if a.name == "hr-directory-sync")
    subjects = {name: [c.subject for c in app.for_environment(name).federated_credentials]
                for name in ("local", "nle", "live")}
    assert subjects == {"local": [NLE_SUBJECT], "nle": [NLE_SUBJECT],
                        "live": ["repo:contoso/hr-directory-sync:environment:live"]}


@pytest.mark.usefixtures("applied")
def test_a_changed_subject_is_an_update_and_a_removal_needs_allow_delete(project):
    edit(project / SYNC, f"subject: {NLE_SUBJECT}\n", "subject: repo:contoso/hr-directory-sync:ref:refs/heads/main\n"
         "    audiences: [api://AzureADTokenExchangeUSGov]\n")  # the file's own audience, in place of Entra ID's
    changed = plan(project)
    assert f"~ {ADDRESS}  (update)" in changed.out
    assert 'audiences : + "api://AzureADTokenExchangeUSGov", - "api://AzureADTokenExchange"\n' in changed.out
    assert f'subject   : "{NLE_SUBJECT}" → "repo:contoso/hr-directory-sync:ref:refs/heads/main"' in changed.out
    assert apply(project).code == 0
    converged(project)
    [credential] = read_back(project)
    assert (credential.subject, credential.audiences) == ("repo:contoso/hr-directory-sync:ref:refs/heads/main",
                                                          ["api://AzureADTokenExchangeUSGov"])
    text = (project / SYNC).read_text()
    (project / SYNC).write_text(text.replace(text[text.index("federatedCredentials:"):text.index("overrides:")],
                                             "federatedCredentials: []\n"))
    assert f"- {ADDRESS}  (destroy)" in plan(project).out
    refused = apply(project)
    assert refused.code == 1 and "--allow-delete" in refused.err and ADDRESS in refused.err
    assert len(read_back(project)) == 1
    assert apply(project, "--allow-delete").code == 0
    assert read_back(project) == []
    converged(project)


@pytest.mark.usefixtures("applied")
def test_one_added_in_the_portal_is_planned_away_unless_the_file_leaves_them_alone(project):
    add_in_the_portal(project, "added-by-hand", "repo:someone/else:ref:refs/heads/main")
    assert "- app.hr-directory-sync.federated_credential[added-by-hand]  (destroy)" in plan(project).out
    shown = json.loads(idamconf("plan", "-C", str(project), "--format", "json").out)  # the JSON plan says whose
    assert [(c["address"], c["action"], c["application"]) for c in shown["changes"] if c["action"] != "no-op"] == \
        [("app.hr-directory-sync.federated_credential[added-by-hand]", "delete", "hr-directory-sync")]
    text = (project / SYNC).read_text()  # the file no longer says (nor its override):
    (project / SYNC).write_text(text[:text.index("federatedCredentials:")] + text[text.index("apiPermissions:"):])
    converged(project)  # nothing read, nothing planned: both are left alone
    assert {c.name for c in read_back(project)} == {"github-nightly", "added-by-hand"}


TWICE = """name: wordpress
displayName: WordPress Blog
owners: [alice.admin@contoso.com, grace.comms@contoso.com]
federatedCredentials:
  - name: github-live
    issuer: https://token.actions.githubusercontent.com
    subject: repo:contoso/blog:environment:live
  - name: GitHub-Live
    issuer: https://token.actions.githubusercontent.com
    subject: repo:contoso/blog:environment:live
  - name: github-nle
    issuer: https://token.actions.githubusercontent.com
    subject: repo:contoso/blog:environment:nle
"""


def test_a_name_or_an_issuer_and_subject_used_twice_is_refused_with_its_fix(project):
    """Graph keeps both unique in an application: validate says so for each, pointing at the first use."""
    (project / "applications/wordpress.yaml").write_text(TWICE)
    result = idamconf("validate", "-C", str(project))
    at = f"{project / 'applications/wordpress.yaml'}:"
    assert (result.code, result.err) == (1, "".join(f"{at}{line}\n" for line in [
        "8:11: error: federatedCredentials[1].name: federated credential name 'GitHub-Live' also used by "
        "federatedCredentials[0]: Graph keeps them unique in an application\n    fix: give each federated credential "
        "its own name",
        "10:14: error: federatedCredentials[1].subject: federated credential issuer and subject also used by "
        "federatedCredentials[0]: Graph keeps them unique in an application\n    fix: give each federated "
        "credential its own subject"]) + "\n2 error(s), 0 warning(s).\n")


@pytest.mark.usefixtures("applied")
def test_a_saved_plan_is_stale_once_a_credential_it_removes_was_replaced_by_another_of_the_same_name(project):
    """The plan was reviewed against one object; one made since under the same name is another: run plan again."""
    add_in_the_portal(project, "added-by-hand", "repo:someone/else:ref:refs/heads/main")
    path = project.parent / "plan.json"
    assert plan(project, "--out", str(path)).code == 0
    app = applications(project)["hr-directory-sync"]
    [first] = [c for c in read_back(project) if c.name == "added-by-hand"]
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        response = httpx.delete(f"{emulator.base_url}/applications/{app['id']}/federatedIdentityCredentials/{first.id}",
                                headers={"Authorization": "Bearer portal"}, trust_env=False)
    assert response.status_code == 204, response.text
    add_in_the_portal(project, "added-by-hand", "repo:someone/else:ref:refs/heads/main")  # the same, but another
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve", "--allow-delete")
    assert (result.code, result.err) == (1, "Saved plan is stale: app.hr-directory-sync changed in the tenant since "
                                            "the plan was made. Run plan again.\nNothing was changed.\n")
    assert {c.name for c in read_back(project)} == {"github-nightly", "added-by-hand"}


@pytest.mark.usefixtures("applied")
def test_graph_refusing_a_list_of_federated_credentials_stops_the_plan_saying_which(project, monkeypatch):
    """Never taken as "none": an empty list would plan the application's trusts away."""
    from idamconf.emulator import embedded

    from ..safety.wire import Rule, Scripted, graph_error

    app = applications(project)["hr-directory-sync"]
    faults = Scripted([Rule(lambda request: request.path.endswith("/federatedIdentityCredentials"),
                            graph_error(403, "Authorization_RequestDenied"))])
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, _=None, tenant=None:
                        real_open(state, seed, faults, tenant))
    result = plan(project)
    assert ("GET", f"applications/{app['id']}/federatedIdentityCredentials") in faults.received  # Graph's method
    assert result.code == 1 and "destroy" not in result.out
    assert f"the federated credentials of application {app['id']}: " in result.err
    assert "Authorization_RequestDenied" in result.err


@pytest.mark.usefixtures("applied")
def test_a_list_of_federated_credentials_whose_answer_a_gateway_lost_is_asked_again(project, monkeypatch):
    """A read is safe to repeat: after a 504 the list is asked for again and the plan goes on -- a plan never fails
    for one lost answer to a read (a write's lost answer is another matter: graph/client.py)."""
    from .harness import faulted
    from ..safety.wire import Rule, Scripted, graph_error

    app = applications(project)["hr-directory-sync"]
    path = f"applications/{app['id']}/federatedIdentityCredentials"
    faults = Scripted([Rule(lambda request: request.path == path, graph_error(504, "GatewayTimeout", "0"))])
    faulted(monkeypatch, faults)
    result = plan(project)
    assert result.code == 0, result.err
    assert faults.count("GET", path) == 2


@pytest.mark.usefixtures("applied")
def test_a_credential_renamed_keeps_its_issuer_and_subject_in_one_apply(project):
    """Graph keeps an issuer and subject unique in an application: renaming a credential removes the old name before
    the new one is written, so the pair moves in one apply."""
    edit(project / SYNC, "name: github-nightly", "name: github-nle")
    done = apply(project, "--allow-delete")
    assert done.code == 0, done.err
    assert [(c.name, c.subject) for c in read_back(project)] == [("github-nle", NLE_SUBJECT)]
    converged(project)


def test_credentials_trading_their_subjects_converge_in_one_apply(project):
    """Graph keeps an issuer and subject unique in an application (federatedidentitycredential.md: "The combination
    of the values of issuer and subject must be unique within the app"), so two credentials trading subjects were
    refused at the first write (400, the emulator as Graph), and a credential taking the subject another leaves
    failed whenever it came first. Apply orders the writes, parking one of a ring on a subject of its own."""
    weekly = "repo:contoso/hr-directory-sync:environment:weekly"
    edit(project / SYNC, "    # audiences: [api://AzureADTokenExchange]   # the default, Entra ID's\n",
         f"  - name: github-weekly\n    issuer: https://token.actions.githubusercontent.com\n    subject: {weekly}\n")
    assert apply(project).code == 0
    text = (project / SYNC).read_text(encoding="utf-8")
    (project / SYNC).write_text(text.replace(NLE_SUBJECT, "TRADED").replace(weekly, NLE_SUBJECT)
                                .replace("TRADED", weekly), encoding="utf-8")
    traded = apply(project)
    assert traded.code == 0, traded.err
    assert sorted((c.name, c.subject) for c in read_back(project)) == [("github-nightly", weekly),
                                                                      ("github-weekly", NLE_SUBJECT)]
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_credential_someone_removed_meanwhile_counts_as_removed(project, monkeypatch):
    """When apply sends the removal, the credential is gone already (Graph answers 404): done."""
    from tests.safety.wire import Rule, Scripted, graph_error

    from .harness import faulted

    text = (project / SYNC).read_text()
    (project / SYNC).write_text(text.replace(text[text.index("federatedCredentials:"):text.index("overrides:")],
                                             "federatedCredentials: []\n"))

    def removes_credential(request) -> bool:
        return request.method == "DELETE" and "federatedIdentityCredentials" in request.path

    faulted(monkeypatch, Scripted([Rule(removes_credential, graph_error(404, "Request_ResourceNotFound"),
                                        after=True)]))
    done = apply(project, "--allow-delete")
    assert done.code == 0, done.err
    monkeypatch.undo()
    assert read_back(project) == []
    converged(project)
