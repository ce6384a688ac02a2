"""The pull-request comment and apply's report: whatever the names, the document GitHub renders has idamconf's
structure -- its marker once, its tables' rows and cells, its details blocks, its fences, its Mermaid statements --
and no value opens HTML, mentions anyone, links anywhere, shows a hidden character, emits a workflow command or
hides a deletion."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings

from idamconf.apply import Outcome
from idamconf.comment.sections import ACCESS, ACCESS_ATTRIBUTES, OF_ITS_MAKING
from idamconf.escape import md_code, md_fence, md_html, md_text, mermaid_label
from idamconf.escape.characters import HIDDEN, visible
from idamconf.escape.markdown import ZERO_WIDTH_SPACE
from idamconf.lint.model import Finding
from idamconf.plan.model import Action
from idamconf.plan.render_markdown import APPLY_MARKER, MARKER, render_apply_markdown, render_markdown

from .hostile import NAMES, VALUES, plan_of
from .structure import CAN_MENTION, CELL_BOUNDARY, OPENS_HTML, kinds, lines_of, prose

PROPERTY = settings(deadline=None, database=None, max_examples=100)
OUR_TAGS = re.compile(r"</?(?:details|summary|code)>")
SUMMARY = re.compile(r"<details><summary>(?:<code>[^<>]*</code> \((?:create|update|delete|disable first)\)|"
                     r"Details of every change|Done)</summary>")
MERMAID = re.compile(r'graph LR|  n_\w+\["[A-Za-z0-9 ._#;]*"\]|  n_\w+ (?:-- [A-Za-z0-9 ._#;]+ )?--> n_\w+')


def assert_inert(document: str) -> None:
    """Nothing in the text is hidden, a mention, HTML but idamconf's tags, or a workflow command."""
    for kind, _, line in lines_of(document):
        assert HIDDEN.search(line.replace(ZERO_WIDTH_SPACE, "")) is None, line
        assert not line.lstrip().startswith("::") and "##[" not in line, line
        assert OPENS_HTML.search(OUR_TAGS.sub("", line) if kind in ("details", "end-details") else line) is None \
            or kind == "marker", line
    assert CAN_MENTION.search(document) is None  # (a link in prose: test_text_is_never_markup)


def granted_of(plan) -> list:
    """The changes the comment lists under "Access and credentials" (comment/sections.access)."""
    created = {c.application for c in plan.pending if c.kind == "application" and c.action is Action.CREATE}
    return [c for c in plan.pending if c.kind in ACCESS and c.action is not Action.DELETE and c.counted and not
            (c.application in created and c.kind in OF_ITS_MAKING) or c.action is Action.UPDATE and
            any(attribute.path in ACCESS_ATTRIBUTES for attribute in c.attributes) or c.action is Action.ADOPT]


def access_rows(plan) -> list[int]:
    """The cells of the rows of that table (a head and a rule, then a row each), if there is one."""
    granted = granted_of(plan)
    return [3] * (2 + len(granted)) if granted else []


def assert_plan_comment(document: str, plan) -> None:
    assert document.startswith(MARKER + "\n") and document.count(MARKER) == 1 and APPLY_MARKER not in document
    assert [entry[0] for entry in lines_of(document)].count("marker") == 1
    diagram = any(change.application for change in plan.pending)  # what it touches (none: no application)
    granted = granted_of(plan)
    assert [level for _, level, _ in kinds(document, "heading")] == [3, 4, 4] + [4] * bool(granted) + [4] * diagram
    rows = [cells for _, cells, _ in kinds(document, "row")]
    assert rows == [4] * 3 + [3] * (2 + len(plan.deletions)) + access_rows(plan) + [3] * (2 + len(plan.pending))
    details = kinds(document, "details")
    assert len(details) == len(kinds(document, "end-details")) == len(plan.pending) + 1
    assert document.count("<details") == document.count("</details>") == len(plan.pending) + 1
    assert all(SUMMARY.fullmatch(line) for _, _, line in details)
    fences = kinds(document, "fence")
    assert [info for _, info, _ in fences] == ["diff"] * len(plan.pending) + ["mermaid"] * diagram
    assert len(kinds(document, "end-fence")) == len(fences)
    _assert_code(document)
    before_details = document[:document.index("<details>")]
    for change in [*plan.deletions, *granted]:  # every one, before any collapsible block
        assert f"| {md_code(change.address, table=True)} |" in before_details
    assert_inert(document)


def _assert_code(document: str) -> None:
    fence = None
    for kind, info, line in lines_of(document):
        if kind == "fence":
            fence = info
        elif kind == "code" and fence == "diff":
            assert line.startswith(("+ ", "- ")), line
        elif kind == "code":
            assert MERMAID.fullmatch(line), line


@PROPERTY
@given(NAMES, VALUES)
def test_no_value_changes_the_comments_structure(names, target):
    plan = plan_of(names)
    findings = [Finding("approvers.two", "warning", names[5], names[6], names[7], 3, 4, names[1], names[2])]
    assert_plan_comment(render_markdown(plan, target, findings), plan)


@PROPERTY
@given(NAMES)
def test_no_value_changes_the_structure_of_applys_report(names):
    plan = plan_of(names)
    done = [change for change in plan.pending if change.action is not Action.DELETE]
    outcome = Outcome(done=done + [plan.deletions[0]], failed=[(plan.deletions[1], names[4])],
                      skipped=list(plan.deletions[2:]))
    document = render_apply_markdown(plan, outcome)
    assert document.startswith(APPLY_MARKER + "\n") and document.count(APPLY_MARKER) == 1 and MARKER not in document
    rows = [cells for _, cells, _ in kinds(document, "row")]
    assert rows == [4] * (2 + len(plan.deletions)) + [2] * 3
    assert len(kinds(document, "details")) == len(kinds(document, "end-details")) == 1
    before_details = document[:document.index("<details>")]
    for change in plan.deletions:
        assert f"| {md_code(change.address, table=True)} |" in before_details
    assert f"| {md_text(names[4])} |" in document  # Graph's message, in its cell
    assert_inert(document)


@PROPERTY
@given(VALUES)
def test_text_is_never_markup(value):
    text = md_text(value)
    assert len(CELL_BOUNDARY.split(f"| {text} |")) == 3  # one cell
    assert OPENS_HTML.search(text) is None and CAN_MENTION.search(text) is None
    assert "://" not in text and "www." not in text.lower() and "##[" not in text
    assert not _unescaped(text, "`*_[]()!|~$\\")


@PROPERTY
@given(VALUES)
def test_code_spans_hold_their_value(value):
    for table in (False, True):
        code = md_code(value, table)
        fence = re.match("`+", code).group()
        inner = code[len(fence):-len(fence)]
        assert code.endswith(fence) and all(len(run) != len(fence) for run in re.findall("`+", inner))
        assert "\n" not in code and (not table or len(CELL_BOUNDARY.split(f"| {code} |")) == 3)
        shown = inner.replace(ZERO_WIDTH_SPACE, "").replace("\\|" if table else "\0", "|")
        assert shown.strip(" ") == visible(value).strip(" ")  # reads as written (hidden characters shown)


@PROPERTY
@given(VALUES, VALUES)
def test_fences_are_closed_only_by_their_own_end(first, second):
    block = md_fence([f"+ {first}", f"- {second}"], "diff")
    assert len(block) == 4 and block[0].endswith("diff") and block[-1] == block[0][:-4]
    assert not any(re.fullmatch(rf"`{{{len(block[-1])},}}\s*", line) for line in block[1:-1])


@PROPERTY
@given(VALUES)
def test_html_and_mermaid_hold_no_markup(value):
    escaped = md_html(value)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped and CAN_MENTION.search(escaped) is None
    assert html.unescape(escaped).replace(ZERO_WIDTH_SPACE, "") == visible(value).replace(ZERO_WIDTH_SPACE, "")
    label = mermaid_label(value)
    assert re.fullmatch(r"[A-Za-z0-9 ._#;]*", label)
    assert re.sub(r"#(\d+);", lambda match: chr(int(match.group(1))), label) == visible(value)


@pytest.mark.parametrize("value, table, code", [
    ("a|b", True, "`a\\|b`"), ("a|b", False, "`a|b`"),  # '|' ends a table's cell even in code
    ("a`b", False, "``a`b``"), ("a``b", False, "```a``b```"),  # one backtick more than the longest run inside
    ("`a", False, "`` `a ``"), ("a ", False, "` a  `"),  # a space each side where an edge is a backtick or space
    ("Xa", False, "`Xa`"), ("aX", False, "`aX`"), ("", False, "`  `"),
])
def test_code_spans_as_written(value, table, code):
    assert (md_code(value, table=True) if table else md_code(value)) == code  # outside a table unless told


@pytest.mark.parametrize("lines, block", [
    ([], ["```diff", "```"]), (["+ a"], ["```diff", "+ a", "```"]),  # three backticks, at least
    (["+ a```b"], ["````diff", "+ a```b", "````"]), (["+ ````"], ["`````", "+ ````", "`````"]),  # one more
])
def test_fences_as_written(lines, block):
    assert md_fence(lines, block[0].strip("`")) == block


@pytest.mark.parametrize("value, code, escaped", [
    ("say \"hi\" it's <b> & @team", False, "say &quot;hi&quot; it&#x27;s &lt;b&gt; &amp; @\u200bteam"),
    ("say \"hi\" it's <b> & a@b.example", True,
     "<code>say &quot;hi&quot; it&#x27;s &lt;\u200bb&gt; &amp; a@b.example</code>"),  # an address stays whole
])
def test_html_text_escapes_quotes_tags_and_entities_in_prose_and_code(value, code, escaped):
    """A `<summary>`'s text as written: quotes too, so the value could also stand in an attribute."""
    assert md_html(value, code=code) == escaped


def _unescaped(text: str, characters: str) -> list[str]:
    """The characters of `characters` in `text` that no backslash escapes."""
    found, escaped = [], False
    for character in text:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in characters:
            found.append(character)
    return found + (["\\"] if escaped else [])


# One example per attack class, as a pull request would write it.
CLASSES = {
    "hidden rows": "x |\n| ➕ | `app.fake` | create |",
    "comment": "<!-- hide the rest",
    "marker": "<!-- idamconf-plan -->",
    "fence": "```\n```\n",
    "details": "</details></details>\n\nforged",
    "html": "<img src=x onerror=alert(1)><a href=https://evil.example>x</a>",
    "mention": "@platform-team @org/admins",
    "workflow command": "\n::error::forged\n##[error]forged",
    "link": "[approve me](https://evil.example) ![i](https://evil.example/i.png)",
    "terminal escapes": "\x1b]52;c;aGk=\x07\x1b[1A\x1b[2K",
    "bidi": "\u202egnp.exe",
}


@pytest.mark.parametrize("attack", CLASSES.values(), ids=CLASSES.keys())
def test_each_attack_class_is_inert_in_the_comment(attack):
    names = [f"{attack}{number}" for number in range(8)]
    plan = plan_of(names)
    document = render_markdown(plan, attack, [])
    rows = [cells for _, cells, _ in kinds(document, "row")]
    assert rows == [3] * (2 + len(plan.deletions)) + access_rows(plan) + [3] * (2 + len(plan.pending))
    assert document.count("<!-- ") == 1 and document.count("<details") == len(plan.pending) + 1
    assert "@platform-team" not in document and "@org/admins" not in document
    assert "](" not in prose(document).replace("\\](", "") and "://" not in prose(document)
    assert "\x1b" not in document and "\u202e" not in document
    assert_inert(document)


@settings(deadline=None, database=None, max_examples=40)  # whole documents: fewer, larger examples
@given(NAMES, VALUES, VALUES)
def test_the_comment_of_several_environments_keeps_its_structure(names, error, problem):
    """idamconf comment: a plan with drift, a failed environment's message, validate's problems -- whatever they
    say, the document is idamconf's: one marker, balanced blocks and fences, every deletion before any <details>."""
    from dataclasses import replace

    from idamconf.comment import Outcome, render_comment
    from idamconf.diagnostics import Diagnostic

    plan = plan_of(names)
    first, second = plan.pending[0].address, plan.pending[1].address
    plan = replace(plan, drift=frozenset({first}), drifted={second: (names[3], names[4])}, drift_base=names[5])
    findings = [Finding("approvers.two", "warning", names[5], names[6], names[7], 3, 4, names[1], names[2])]
    problems = [Diagnostic(problem, names[3], names[4], 3, 4, names[5])]
    outcomes = [Outcome(names[6], plan, names[7]), Outcome(names[0], error=error), Outcome(names[1])]
    document = render_comment(names[2], outcomes, findings, problems)
    assert document.startswith(MARKER + "\n") and document.count(MARKER) == 1
    assert [entry[0] for entry in lines_of(document)].count("marker") == 1
    assert document.count("<details") == document.count("</details>") == len(kinds(document, "details"))
    assert len(kinds(document, "fence")) == len(kinds(document, "end-fence"))
    before_details = document[:document.index("<details>")]
    for change in [*plan.deletions, *granted_of(plan)]:
        assert f"| {md_code(change.address, table=True)} |" in before_details
    assert_inert(document)
