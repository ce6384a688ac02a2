"""Deletions and replacements can never be hidden: every format lists them first -- the human plan, the
pull-request comment (before its table, outside any <details>), the JSON plan (`deletions`, `replacements`) and
apply's reports. A replacement is a resource deleted and created again at one address; a role's disable-first step
is an update, not a deletion."""

from __future__ import annotations

import json

import jsonschema

from idamconf.apply import Outcome
from idamconf.config.schema import schema
from idamconf.escape import json_dumps
from idamconf.plan.model import DISABLE_FIRST, Action, AttributeChange, Change, Plan
from idamconf.plan.render_human import render_plan
from idamconf.plan.render_markdown import render_apply_markdown, render_markdown
from idamconf.plan.saved import plan_to_dict

PACKAGE = "app.blog.role.Blog.Writer.access_package"


def plan() -> Plan:
    """Creates and updates first, as plans are ordered; a replacement, a deletion, and a role's disable step."""
    role = {"value": "Blog.Reader", "isEnabled": True}
    return Plan("p", "local", "t", (
        Change("app.blog", "application", "blog", Action.UPDATE, {"displayName": "a"}, {"displayName": "b"},
               (AttributeChange("displayName", "a", "b"),)),
        Change("app.blog.role.Blog.Reader", "role", "blog", Action.UPDATE, role, {**role, "isEnabled": False},
               (AttributeChange("isEnabled", True, False),), DISABLE_FIRST),
        Change("app.blog.role.Blog.Reader", "role", "blog", Action.UPDATE, role, {**role, "description": "x"},
               (AttributeChange("description", None, "x"),)),
        Change(PACKAGE, "access_package", "blog", Action.DELETE, {"catalog": "Old"}, None),
        Change(PACKAGE, "access_package", "blog", Action.CREATE, None, {"catalog": "New"}),
        Change("app.retired", "application", "retired", Action.DELETE, {"displayName": "Retired"}, None),
    ))


def test_a_replacement_is_a_deletion_created_again_and_a_disable_step_is_no_deletion():
    made = plan()
    assert [change.address for change in made.deletions] == [PACKAGE, "app.retired"]
    assert made.replacements == {PACKAGE}


def test_the_human_plan_lists_deletions_and_replacements_before_anything_else():
    text = render_plan(plan(), "local")
    first, rest = text.split("idamconf will perform these actions:")
    assert first == ("Target: local\n\nDeletions and replacements (listed first; each is shown again with the other "
                     f"changes):\n  -/+ {PACKAGE}  (replace: destroyed, then created again)\n"
                     "  - app.retired  (destroy)\n\n")
    assert f"  - {PACKAGE}  (destroy)" in rest and f"  + {PACKAGE}  (create)" in rest
    assert "\033[31m  -/+ " in render_plan(plan(), "local", colour=True)


def test_a_plan_that_deletes_nothing_has_no_such_section():
    updates = Plan("p", "local", "t", plan().changes[:3])
    assert "Deletions" not in render_plan(updates, "local") and "Deletions" not in render_markdown(updates, "local")
    assert plan_to_dict(updates)["deletions"] == [] and plan_to_dict(updates)["replacements"] == []


def test_the_comment_lists_them_before_its_table_outside_any_details():
    text = render_markdown(plan(), "local")
    section = text.index("#### Deletions and replacements")
    assert section < text.index("| | change | action |") < text.index("<details>")
    rows = text[section:text.index("| | change | action |")]
    assert f"| ♻️ | `{PACKAGE}` | replace: destroyed, then created again |" in rows
    assert "| 🗑️ | `app.retired` | destroy |" in rows and "Blog.Reader" not in rows


def test_the_json_plan_lists_them_before_its_changes_as_its_schema_says():
    document = json.loads(json_dumps(plan_to_dict(plan())))
    jsonschema.Draft202012Validator(schema("plan")).validate(document)
    assert document["deletions"] == [PACKAGE, "app.retired"] and document["replacements"] == [PACKAGE]
    keys = list(document)
    assert keys.index("deletions") < keys.index("replacements") < keys.index("changes")


def test_applys_markdown_report_lists_them_first_with_what_became_of_each():
    made = plan()
    replaced, retired = made.deletions
    outcome = Outcome(done=[c for c in made.changes if c is not retired], failed=[(retired, "403 Forbidden: no")])
    text = render_apply_markdown(made, outcome)
    section = text.index("#### Deletions and replacements")
    assert section < text.index("| failed | error |") < text.index("<details>")
    assert f"| ♻️ | `{PACKAGE}` | replace: destroyed, then created again | done |" in text
    assert "| 🗑️ | `app.retired` | destroy | failed |" in text
    assert "| 🗑️ | `app.retired` | destroy | skipped |" in render_apply_markdown(made, Outcome(done=[replaced],
                                                                                     skipped=[retired]))
    assert "| 🗑️ | `app.retired` | destroy | not done |" in render_apply_markdown(made, Outcome(done=[replaced]))
