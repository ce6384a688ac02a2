"""Values a file or Graph gives that reach the terminal through less travelled paths (found by a review in session
47): a saved plan's environment, the ids Graph gave a created application, a created policy's attribute names (a
question's language codes are a file's keys); and a schema pattern lets no line break through where JSON Schema's
`$` (the text's end) would not."""

from __future__ import annotations

import json

from idamconf.apply import Outcome as Applied
from idamconf.commands.apply import created_lines
from tests.cli.harness import idamconf, plan
from tests.cli.test_access_policies import writer

RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\u2028", "\x85", "\r")


def assert_nothing_raw(text: str) -> None:
    assert not [c for c in RAW if c in text], repr(text)
    assert not any(line.lstrip().startswith("::") or "##[" in line for line in text.split("\n")), text


def test_a_saved_plans_environment_is_escaped_where_apply_refuses_it(project):
    path = project.parent / "plan.json"
    assert plan(project, "--out", str(path)).code == 0
    document = json.loads(path.read_text())
    document["plan"]["environment"] = "x\n::error file=a.yaml::forged\x1b]52;c;Y3VybA==\x07"
    path.write_text(json.dumps(document))
    result = idamconf("apply", str(path), "-C", str(project), "--env", "dev", "--auto-approve")
    assert result.code == 1 and "Saved plan was made for environment 'x\\n::error" in result.err, result.err
    assert_nothing_raw(result.out + result.err)


def test_the_ids_graph_gave_a_created_application_are_escaped_in_applys_report():
    applied = Applied()
    applied.created["app.blog"] = {"id": "x\n::error::forged", "appId": "\x1b]52;c;Y3VybA==\x07",
                                   "servicePrincipalId": "\u202e"}
    assert_nothing_raw("\n".join(created_lines(applied)))


def test_a_language_code_ending_in_a_line_break_is_refused_and_never_printed(project):
    writer(project, "      policies:\n"
                    "        - name: Employees\n"
                    "          approvers: [manager, bob.ops@contoso.com]\n"
                    "          fallbackApprovers: [grace.comms@contoso.com]\n"
                    "          questions:\n"
                    '            - {text: Which team?, localizedText: {"fr\\n": Quelle équipe ?}}\n')
    checked = idamconf("validate", "-C", str(project))
    assert checked.code == 1 and "fr\\n" in checked.err, checked.err
    assert_nothing_raw(checked.err)


def test_a_created_resources_attribute_names_are_escaped():
    from idamconf.plan.model import Action, Change, Plan
    from idamconf.plan.render_human import render_plan

    change = Change("app.blog.role.Reader.access_package.policy[Employees]", "policy", "blog", Action.CREATE, None,
                    {"displayName": "Employees", "questions": {"localizedText": {"fr\n::error::x": "Quelle ?"}}})
    text = render_plan(Plan("p", "live", "t", (change,)), "tenant t")
    assert "localizedText.fr\\n::error::x" in text, text
    assert_nothing_raw(text)
