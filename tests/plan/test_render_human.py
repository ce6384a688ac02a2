"""The rendered plan, as users read it, is snapshot-tested; the plan itself is computed purely (no Graph)."""

from __future__ import annotations

import datetime as _dt

import dataclasses

import yaml

from idamconf.config.load import load_configuration
from idamconf.plan.diff import make_plan
from idamconf.plan.render_human import render_plan
from idamconf.plan.governance import desired_governance
from idamconf.graph.read_assignments import Groups
from idamconf.plan.relationships import desired_relationships
from idamconf.plan.resources import desired_resources
from tests.conftest import EXAMPLES

TARGET = "local — embedded emulator"


def _users() -> dict[str, str]:
    """What the directory look-ups give for the seeded tenant: UPN -> id, and group:<id> -> id."""
    seed = yaml.safe_load((EXAMPLES / "emulator/directory.yaml").read_text())
    return {user["userPrincipalName"].lower(): user["id"] for user in seed["users"]} | {
        f"group:{group['id']}": group["id"] for group in seed["groups"]}


def _groups() -> Groups:
    """What the look-up of the groups the examples name gives for the seeded tenant."""
    seed = yaml.safe_load((EXAMPLES / "emulator/directory.yaml").read_text())
    found = [{**group, "securityEnabled": True} for group in seed["groups"]]
    return Groups({group["displayName"].casefold(): [group] for group in found}, {g["id"]: g for g in found})


def _desired():
    configuration = load_configuration(EXAMPLES)
    resources, problems = desired_resources(configuration, "local", _users())
    governance, unknown = desired_governance(configuration, "local", _users(), _groups())
    related, unresolved = desired_relationships(configuration, "local", _users(), _groups())
    assert problems == [] and unknown == [] and unresolved == []
    return configuration, resources | governance | related


def test_plan_of_the_examples_against_an_empty_tenant(project, snapshot, monkeypatch):
    """What `make run`'s first plan prints: the command itself against a fresh embedded tenant (the state file's
    path, which differs from run to run, left out)."""
    from tests.cli.harness import EXAMPLES_TO_ADD, plan

    from idamconf import clock

    # the client secret's expiry is a date from now: the plan is made on a fixed day (the clock tests move)
    monkeypatch.setattr(clock, "_offset", _dt.datetime(2027, 1, 4, 12, tzinfo=_dt.timezone.utc) - clock.now())
    result = plan(project)
    assert result.code == 0, result.err
    state = project / ".idamconf" / "local.db"
    text = result.out.replace(f"{TARGET} ({state})", TARGET)
    assert text.startswith(f"Target: {TARGET}\n")
    # The number is written out (tests/cli/harness.py), not taken from the plan: 10 applications ... and the catalog.
    assert f"Plan: {EXAMPLES_TO_ADD} to add, 0 to change, 0 to destroy." in text
    assert "  + catalog[EUCS IDAM applications]  (create)" in text
    assert text == snapshot


def test_plan_with_updates_disable_steps_and_deletions(snapshot):
    configuration, desired = _desired()
    live = {}
    for key, resource in desired.items():
        attributes = dict(resource.attributes)
        if resource.address == "app.wordpress.role.Blog.Writer":
            attributes["displayName"] = "Author"
        if resource.address == "app.wordpress":
            attributes["web"] = {**attributes["web"], "redirectUris": ["https://old.contoso.com/"]}
        if resource.address == "app.wordpress.role.Blog.Administrator.access_package.policy":
            attributes["approvers"] = ["alice.admin@contoso.com", "erin.security@contoso.com"]
            attributes["review"] = {**attributes["review"], "schedule": "every 3 months"}
        if resource.address == "app.wordpress.role.Blog.Approver.access_package.policy":
            attributes["review"] = None
        live[key] = dataclasses.replace(resource, attributes=attributes, ids={"id": "app-id", "appId": "app-appid"})
    retired = dataclasses.replace(desired[next(k for k in desired if k[2] == "role")], address="app.hr-self-service.role.HR.Retired",
                                  attributes={**desired[next(k for k in desired if k[2] == "role")].attributes,
                                              "id": "00000000-0000-0000-0000-000000000001", "value": "HR.Retired"})
    live[("hr-self-service", 1, "role", "00000000-0000-0000-0000-000000000001")] = retired
    del desired[next(k for k in desired if k[2] == "owner" and k[0] == "payments-api")]
    plan = make_plan(desired, live, configuration.project, "local", "tenant")
    text = render_plan(plan, TARGET)
    assert "Plan: 0 to add, 4 to change, 2 to destroy." in text
    assert "isEnabled   : false → true" not in text
    assert text == snapshot


def test_no_changes(snapshot):
    configuration, desired = _desired()
    plan = make_plan(desired, dict(desired), configuration.project, "local", "tenant")
    assert plan.empty
    assert render_plan(plan, TARGET) == snapshot


def test_colour_only_when_asked():
    configuration, desired = _desired()
    plan = make_plan(desired, {}, configuration.project, "local", "tenant")
    assert "\033[" not in render_plan(plan, TARGET, colour=False)
    assert "\033[32m  + app.wordpress\033[0m" in render_plan(plan, TARGET, colour=True)


def test_markdown_comment(snapshot):
    from idamconf.plan.render_markdown import render_markdown

    configuration, desired = _desired()
    wordpress = {key: resource for key, resource in desired.items() if resource.application in ("wordpress", "")}
    plan = make_plan(wordpress, {}, configuration.project, "local", "tenant")
    assert render_markdown(plan, TARGET, []) == snapshot


def test_a_created_applications_token_version_is_shown_when_it_is_not_graphs_default():
    """Version 2 access tokens (api.requestedAccessTokenVersion) change what every API receives; a create showed it
    only in JSON (found by a review in session 47). Version 1, Graph's default, is not said."""
    from idamconf.plan.model import Action, Change, Plan

    def created(version: int) -> str:
        after = {"displayName": "Orders API", "signInAudience": "AzureADMyOrg", "tags": ["idamconf:p"],
                 "api": {"requestedAccessTokenVersion": version}}
        return render_plan(Plan("p", "live", "t", (Change("app.orders", "application", "orders", Action.CREATE, None,
                                                          after),)), TARGET)

    assert "      api.requestedAccessTokenVersion = 2\n" in created(2)
    assert "requestedAccessTokenVersion" not in created(1)
