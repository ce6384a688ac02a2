"""A SAML application's instantiation from the non-gallery template (saml/apply.py), as the tenant holds it after
apply: an application of the template another team tagged is never taken for one this project left unfinished, and
a display name holding a quote is looked up and converges (OData's quotes doubled in the filter)."""

from __future__ import annotations

import httpx
import pytest

from idamconf.emulator import Store
from tests.emulator.conftest import serving

from .harness import apply, plan, tenant
from .test_saml import PUI, write

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
TEMPLATE = "applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"


def test_a_template_application_another_team_tagged_is_left_alone(project):
    """Same template, same display name, no uniqueName -- but tagged: someone's own, not an apply cut short."""
    write(project)
    assert plan(project).code in (0, 2)  # the embedded tenant, seeded
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        headers = {"Authorization": "Bearer another-team"}
        made = httpx.post(f"{emulator.base_url}/{TEMPLATE}", json={"displayName": "Provider User Interface"},
                          trust_env=False, headers=headers)
        theirs = made.json()["application"]["id"]
        tagged = httpx.patch(f"{emulator.base_url}/applications/{theirs}", json={"tags": ["team:payments"]},
                             trust_env=False, headers=headers)
    assert (made.status_code, tagged.status_code) == (201, 204), made.text + tagged.text
    result = apply(project)
    assert result.code == 0, result.err
    named = {a["id"]: a for a in tenant(project)["objects"]["applications"]
             if a["displayName"] == "Provider User Interface"}
    assert (named[theirs].get("uniqueName"), named[theirs]["tags"]) == (None, ["team:payments"])
    [ours] = [a for key, a in named.items() if key != theirs]
    assert ours["uniqueName"] == "pui"


def test_a_saml_application_whose_name_holds_a_quote_is_made_and_converges(project):
    write(project, PUI.replace("displayName: Provider User Interface", "displayName: Provider's User Interface"))
    result = apply(project)
    assert result.code == 0, result.err
    [pui] = [a for a in tenant(project)["objects"]["applications"] if a.get("uniqueName") == "pui"]
    assert pui["displayName"] == "Provider's User Interface"
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")
