"""A SAML application's instantiation from the non-gallery template (saml/apply.py), as the tenant holds it after
apply: an application of the template another team made with the same display name, tagged or not, is never taken
for one this project left unfinished; the application claimed holds none of the template's roles; and a display name
holding a quote is looked up and converges (OData's quotes doubled in the filter)."""

from __future__ import annotations

import httpx
import pytest

from idamconf.emulator import Store
from idamconf.saml.names import unclaimed_name
from tests.emulator.conftest import serving

from .harness import apply, plan, tenant
from .test_saml import PUI, write

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
TEMPLATE = "applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"


@pytest.mark.parametrize("tags", [[], ["team:payments"]], ids=["untagged", "tagged"])
def test_another_teams_application_of_the_template_and_the_display_name_is_never_taken_over(project, tags):
    """Same template, same display name, no uniqueName -- made in the portal by another team, tagged or not. An
    apply cut short leaves an application under a name of the project's own (saml/names.unclaimed_name), so only
    that is ever taken for one to finish (found by a review in session 47: an untagged one was claimed, its SSO
    settings, roles and owners rewritten)."""
    write(project)
    assert plan(project).code in (0, 2)  # the embedded tenant, seeded
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        headers = {"Authorization": "Bearer another-team"}
        made = httpx.post(f"{emulator.base_url}/{TEMPLATE}", json={"displayName": "Provider User Interface"},
                          trust_env=False, headers=headers)
        theirs = made.json()["application"]["id"]
        if tags:
            assert httpx.patch(f"{emulator.base_url}/applications/{theirs}", json={"tags": tags}, trust_env=False,
                               headers=headers).status_code == 204
    result = apply(project)
    assert result.code == 0, result.err
    named = {a["id"]: a for a in tenant(project)["objects"]["applications"]
             if a["displayName"] == "Provider User Interface"}
    assert (named[theirs].get("uniqueName"), named[theirs]["tags"]) == (None, tags)
    [ours] = [a for key, a in named.items() if key != theirs]
    assert ours["uniqueName"] == "pui"
    principal = next(sp for sp in tenant(project)["objects"]["servicePrincipals"] if sp["appId"] == ours["appId"])
    assert principal["displayName"] == "Provider User Interface"


def test_an_application_claimed_holds_no_template_role_and_a_cut_after_it_needs_no_allow_delete(project,
                                                                                                 monkeypatch):
    """The template's two enabled roles (User, msiam_access) are replaced by the file's before the application is
    claimed: an apply cut short right after the claim is finished by a plain apply, with nothing to delete."""
    from tests.cli.harness import faulted
    from tests.safety.wire import Rule, Scripted, graph_error

    write(project, PUI + "appRoles:\n  - {displayName: Reader, value: Pui.Reader, description: Reads.}\n")

    def after_the_claim(request) -> bool:  # the first write after the claim: the upsert by uniqueName
        return request.method == "PATCH" and request.path == "applications(uniqueName='pui')"

    faulted(monkeypatch, Scripted([Rule(after_the_claim, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    assert apply(project).code == 1
    monkeypatch.undo()
    [ours] = [a for a in tenant(project)["objects"]["applications"] if a.get("uniqueName") == "pui"]
    assert {role["value"] for role in ours["appRoles"]} == {"Pui.Reader"}  # the file's, and only they
    assert ours["displayName"] == "Provider User Interface"  # claimed under the file's name
    shown = plan(project)
    assert "(destroy)" not in shown.out, shown.out
    finished = apply(project)
    assert finished.code == 0, finished.err
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")


def test_a_saml_application_whose_name_holds_a_quote_is_made_and_converges(project):
    write(project, PUI.replace("displayName: Provider User Interface", "displayName: Provider's User Interface"))
    result = apply(project)
    assert result.code == 0, result.err
    [pui] = [a for a in tenant(project)["objects"]["applications"] if a.get("uniqueName") == "pui"]
    assert pui["displayName"] == "Provider's User Interface"
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")



LONG_PROJECT, LONG_NAME = "p" * 63, "n" * 64  # the longest project and application names validate accepts


def _long_names(project) -> None:
    config = project / "idamconf.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("project: eucs-idam", f"project: {LONG_PROJECT}"),
                      encoding="utf-8")
    (project / "applications" / "pui.yaml").unlink()  # examples' own, of the same entity id
    write(project, PUI.replace("name: pui", f"name: {LONG_NAME}"), name=LONG_NAME)


def test_a_saml_application_of_the_longest_names_validate_accepts_is_made_and_converges(project):
    """The project's and the file's names (63 and 64 characters) made a name to instantiate under of 150
    characters: longer than the 120 Graph's `eq` matches (the look-up for an unfinished one was refused, 400, and
    the application never made) and than an application's display name holds."""
    _long_names(project)
    result = apply(project)
    assert result.code == 0, result.err
    [made] = [a for a in tenant(project)["objects"]["applications"] if a.get("uniqueName") == LONG_NAME]
    assert made["displayName"] == "Provider User Interface"
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")


def test_a_cut_short_saml_application_of_the_longest_names_is_finished_not_duplicated(project):
    """The shortened name to instantiate under is still the project's and the file's own (another file's differs),
    and an application left under it is found again and claimed."""
    _long_names(project)
    assert plan(project).code in (0, 2)  # the embedded tenant, seeded
    marked = unclaimed_name(LONG_PROJECT, LONG_NAME)
    assert marked != unclaimed_name(LONG_PROJECT, LONG_NAME[:-1] + "m") != unclaimed_name(LONG_PROJECT[:-1], LONG_NAME)
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        made = httpx.post(f"{emulator.base_url}/{TEMPLATE}", json={"displayName": marked}, trust_env=False,
                          headers={"Authorization": "Bearer cut-short"})
    assert made.status_code == 201, made.text
    result = apply(project)
    assert result.code == 0, result.err
    named = [a for a in tenant(project)["objects"]["applications"] if a["displayName"] == "Provider User Interface"]
    assert [(a["id"], a["uniqueName"]) for a in named] == [(made.json()["application"]["id"], LONG_NAME)]
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")
