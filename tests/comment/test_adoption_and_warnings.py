"""What main added to plans reaches the pull-request comment: an adoption is marked (🔁, `adopt`, counted), and a
plan's warnings (a deletion of an application the configuration never declared) come before its deletions, never
cut; in a comment of several environments, and when the changes only fit a row per application."""

from __future__ import annotations

from idamconf.comment import Outcome, render_comment
from idamconf.plan.model import Action, AttributeChange, Change, Plan

WARNING = "app.stranger is deleted, but no application file of this configuration ever declared it"


def _plan() -> Plan:
    adopt = Change("app.intranet", "application", "intranet", Action.ADOPT, {"displayName": "Legacy"},
                   {"displayName": "Intranet"}, (AttributeChange("uniqueName", None, "intranet"),))
    gone = Change("app.stranger", "application", "stranger", Action.DELETE, {"displayName": "Stranger"}, None)
    return Plan("p", "live", "t", (adopt, gone), warnings=(WARNING,))


def test_an_adoption_and_a_warning_in_the_comment():
    comment = render_comment("p", [Outcome("nle", error="error: sign-in failed"), Outcome("live", _plan(), "t")])
    live = comment[comment.index("### `live`"):]
    assert "**Plan: 1 to adopt, 0 to add, 0 to change, 1 to destroy.**" in live
    warning, deletions = live.index(f"> **Warning:** {WARNING}"), live.index("#### Deletions and replacements")
    assert warning < deletions
    assert "| 🔁 | `app.intranet` | adopt |" in live


def test_a_row_per_application_counts_an_adoption_among_the_changes():
    many = tuple(Change(f"app.new.role.x{n}", "role", "new", Action.CREATE, None, {}) for n in range(300))
    plan = Plan("p", "live", "t", (*_plan().changes, *many), warnings=(WARNING,))
    comment = render_comment("p", [Outcome("live", plan, "t")], budget=4_000)  # no room for a row per change
    assert "**302 changes, by application**" in comment
    assert "| `app.intranet` | 0 | 1 (adopted: 1) | 0 | 0 |" in comment
    assert f"> **Warning:** {WARNING}" in comment


def test_a_restores_deleted_item_id_is_escaped_where_it_lands():
    """The deleted item's id is the tenant's to say: in the table row it is Markdown text (a '|' would end the cell),
    in the <details> summary HTML text (a backslash escape would show there as written)."""
    from idamconf.plan.model import RESTORE

    restore = Change("app.crm", "application", "crm", Action.UPDATE, {"displayName": "CRM"}, {"displayName": "Crm"},
                     (AttributeChange("displayName", "CRM", "Crm"),), RESTORE, {"id": "a|b*<c>"})
    comment = render_comment("p", [Outcome("live", Plan("p", "live", "t", (restore,)), "t")])
    assert "| ✏️ | `app.crm` | restore a\\|b\\*&lt;c&gt; from deleted items, then update |" in comment, comment
    assert "<summary><code>app.crm</code> (restore a|b*&lt;c&gt; from deleted items, then update)</summary>" in comment
