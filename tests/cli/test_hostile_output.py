"""End to end, a pull request's hostile names -- terminal escapes, line ends, workflow commands, Markdown and HTML
that would end the comment's blocks, its marker, mentions, links, bidi controls -- in display names, descriptions,
role values, package and catalog names and file names: every command shows them, and none acts. And deletions and
replacements come first in every format, a package moved to another catalog included."""

from __future__ import annotations

import json
import re

from tests.escape.structure import CAN_MENTION, kinds

from .harness import apply, edit, idamconf, plan
from .test_scenarios import converged

EVIL = r'''name: evil
displayName: "Evil\e[2K\e[1A app\u202e"
description: "line\n::error::forged\n<!-- idamconf-plan -->\n##[error]forged"
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
tags: ["@platform-team", "</details>"]
appRoles:
  - displayName: "Reader\e]52;c;Y3VybCBldmlsIHwgc2g=\a"
    value: "`|</details>@team"
    description: "desc\u2028x\x85y"
    accessPackage:
      name: "pkg\n</details>\n```\n@team [approve](https://evil.example)"
      catalog: "Cat\u2066 <!-- idamconf-plan --> |x| ![i](https://evil.example/i.png)"
      approvers: [alice.admin@contoso.com, erin.security@contoso.com]
      accessReview: {reviewers: [alice.admin@contoso.com, frank.audit@contoso.com], frequencyDays: 90}
'''
RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\u2028", "\x85", "\r")
PACKAGE = "app.wordpress.role.Blog.Administrator.access_package"


def assert_nothing_raw(text: str) -> None:
    assert not [character for character in RAW if character in text]
    assert not any(line.lstrip().startswith("::") or "##[" in line for line in text.split("\n"))


def test_hostile_names_are_shown_by_plan_and_apply_and_act_in_no_format(project):
    (project / "applications/evil.yaml").write_text(EVIL, encoding="utf-8")
    human = plan(project)
    assert human.code == 0, human.err
    assert_nothing_raw(human.out)
    assert "Evil\\u001b[2K\\u001b[1A app\\u202e" in human.out  # values are shown as JSON, then escaped
    assert "\\n::error::forged" in human.out

    comment = plan(project, "--format", "markdown").out
    assert_nothing_raw(comment)
    assert comment.count("<!-- idamconf-plan -->") == 1 and CAN_MENTION.search(comment) is None
    table = [cells for _, cells, _ in kinds(comment, "row")]
    assert set(table) == {3, 4} and table.count(4) == 3  # the findings table: header, rule, and no finding
    changes = [line for _, _, line in kinds(comment[comment.index("**Changes:**"):], "row")  # (the access
               if line.startswith("| ➕ |")]  # table before it lists some again: comment/sections.access)
    left = re.search(r"Details of (\d+) more change\(s\) are left out", comment)  # (GitHub's limit)
    assert len(changes) == len(kinds(comment, "details")) - 1 + (int(left.group(1)) if left else 0)
    assert len(kinds(comment, "details")) == len(kinds(comment, "end-details"))

    document = json.loads(plan(project, "--format", "json").out)
    assert document["summary"]["add"] == len(changes)
    assert "evil" in {change["application"] for change in document["changes"]}

    applied = apply(project)
    assert applied.code == 0, applied.err
    assert_nothing_raw(applied.out + applied.err)
    converged(project)  # the names round-trip through Graph: nothing to do the second time
    shown = idamconf("show", "evil", "-C", str(project))  # the display name as Graph now holds it
    assert shown.code == 0, shown.err
    assert_nothing_raw(shown.out)
    assert "Evil" in shown.out, shown.out


def test_validate_and_lint_show_file_values_and_file_names_escaped(project):
    (project / "applications/evil\x1b[2J.yaml").write_text(
        'name: evil\ndisplayName: x\nowners: [alice.admin@contoso.com]\n"\\e]52;c;aGk=\\a::error::x": 1\n'
        '"\\u202ekey": 2\n', encoding="utf-8")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert_nothing_raw(result.out + result.err)
    assert "evil\\x1b[2J.yaml" in result.err and "\\x1b]52;c;aGk=\\x07::error::x" in result.err
    assert "\\u202ekey" in result.err
    linted = idamconf("lint", "-C", str(project))
    assert linted.code == 1
    assert_nothing_raw(linted.out + linted.err)


def test_sarif_names_a_file_with_spaces_and_hashes(project):
    text = (project / "applications/payments-api.yaml").read_text()
    (project / "applications/payments-api.yaml").unlink()
    (project / "applications/payments api #1.yaml").write_text(text.replace("  - dave.finance@contoso.com\n", ""))
    log = json.loads(idamconf("lint", "-C", str(project), "--format", "sarif").out)
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in log["runs"][0]["results"]}
    assert "applications/payments%20api%20%231.yaml" in uris


def moved_package(project) -> None:
    """The administrators' package moves to another catalog: deleted and created again at the same address."""
    apply(project)
    edit(project / "applications/wordpress.yaml", "    accessPackage:               # named eucs-idam-wordpress-"
         "administrators by default\n", "    accessPackage:\n      catalog: Communications\n")


def test_a_replacement_comes_first_in_every_format_of_plan_and_apply(project):
    moved_package(project)
    human = plan(project).out
    first = human.split("idamconf will perform these actions:")[0]
    assert f"  -/+ {PACKAGE}  (replace: destroyed, then created again)" in first
    document = json.loads(plan(project, "--format", "json").out)
    assert PACKAGE in document["replacements"] and set(document["replacements"]) <= set(document["deletions"])
    comment = plan(project, "--format", "markdown").out
    replaced = comment.index(f"| ♻️ | `{PACKAGE}` |")
    assert replaced < comment.index("| | change | action |") < comment.index("<details>")

    refused = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "json")
    report = json.loads(refused.out)
    assert refused.code == 1 and report["refused"] and PACKAGE in report["replacements"]
    assert f"  -/+ {PACKAGE}  (replace: destroyed, then created again)" in refused.err

    applied = apply(project, "--allow-delete")
    assert applied.code == 0, applied.err
    assert f"\nDeletions and replacements:\n  -/+ {PACKAGE}  (replace: destroyed, then created again): done" \
        in applied.out
    converged(project)


def test_applys_json_and_markdown_reports_list_deletions_first(project):
    moved_package(project)
    report = json.loads(idamconf("apply", "-C", str(project), "--auto-approve", "--allow-delete", "--format",
                                 "json").out)
    assert report["complete"] and PACKAGE in report["deletions"] and PACKAGE in report["replacements"]
    keys = list(report)
    assert keys.index("deletions") < keys.index("done")
    edit(project / "applications/wordpress.yaml", "      catalog: Communications\n", "")
    comment = idamconf("apply", "-C", str(project), "--auto-approve", "--allow-delete", "--format", "markdown").out
    assert comment.index("#### Deletions and replacements") < comment.index("<details>")
    assert f"| ♻️ | `{PACKAGE}` | replace: destroyed, then created again | done |" in comment
