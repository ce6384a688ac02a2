"""validate's 700 app roles and scopes (config/exposed._definitions) for a file whose every environment names its
own `appId` under `overrides` -- the form the README gives ("per tenant: give each environment its own under
overrides") and a second environment's export writes. Each environment's application exists, so the count is a
warning, as for a file naming one `appId` (the plan compares it with the tenant's: plan/definitions.py). The file's
base values, which no environment takes, name no application to create."""

from __future__ import annotations

import json

from idamconf.config.load import read


def _role(index: int) -> str:
    return json.dumps({"id": f"00000000-0000-4000-8000-{index:012d}", "value": f"Wide.{index}",
                       "displayName": f"Wide {index}", "allowedMemberTypes": ["User"], "description": "A role."})


ROLES = "".join(f"  - {_role(index)}\n" for index in range(702))
HEAD = ("name: wide\ndisplayName: Wide\nenvironments: [devl, live]\n"
        "owners: [alice.admin@contoso.com, bob.ops@contoso.com]\n")


def _counted(project, overrides: str) -> list[tuple[str, int]]:
    (project / "applications" / "wide.yaml").write_text(HEAD + overrides + "appRoles:\n" + ROLES, encoding="utf-8")
    _, problems = read(project)
    return [(problem.severity, problem.line) for problem in problems if "Graph holds at most 700" in problem.summary]


def test_a_file_naming_an_app_id_per_environment_under_overrides_is_warned_of_not_refused(project):
    each = ("overrides:\n  devl:\n    appId: 7a1b2c3d-0000-4000-8000-00000000a001\n"
            "  live:\n    appId: 7a1b2c3d-0000-4000-8000-00000000a002\n")
    assert _counted(project, each) == [("warning", 11)]


def test_an_environment_without_an_app_id_is_still_a_new_application_refused(project):
    """devl takes the file's values, which name no appId: a new application of 702 roles there."""
    live_only = "overrides:\n  live:\n    appId: 7a1b2c3d-0000-4000-8000-00000000a002\n"
    assert sorted(_counted(project, live_only)) == [("error", 9), ("warning", 9)]
