"""JSON, GitHub workflow commands and SARIF: each value stays a value -- inside its string, its command property or
message, its URI -- and a reader gets back what was written, with nothing hidden left raw."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from idamconf.escape import (json_dumps, sarif_message, sarif_text, sarif_uri, terminal, workflow_data,
                             workflow_property)
from idamconf.escape.characters import HIDDEN, visible
from idamconf.escape.markdown import ZERO_WIDTH_SPACE
from idamconf.lint.model import Finding
from idamconf.lint.render_sarif import render as render_sarif
from idamconf.plan.saved import plan_to_dict

from .hostile import NAMES, VALUES, plan_of
from .structure import CAN_MENTION

PROPERTY = settings(deadline=None, database=None, max_examples=150)


# --- JSON ----------------------------------------------------------------------------------------------------------

@PROPERTY
@given(NAMES)
def test_a_plans_json_reads_back_the_same_and_shows_nothing_hidden(names):
    document = plan_to_dict(plan_of(names))
    text = json_dumps(document, indent=2)
    # as the standard library reads back its own output: a high and a low surrogate that were two values' ends
    # (possible only in a Python string) read back as one character, in any JSON
    assert json.loads(text) == json.loads(json.dumps(document))
    assert HIDDEN.search(text.replace("\n", "")) is None  # only the indentation's own line ends
    assert len(text.splitlines()) == text.count("\n") + 1  # no U+2028, U+0085... a reader would break a line at
    assert "##[" not in text and not any(line.lstrip().startswith("::") for line in text.split("\n"))


@pytest.mark.parametrize("raw, escaped", [
    ("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u202e", "\\u202e"), ("\x7f", "\\u007f"),
    ("\U000e0041", "\\udb40\\udc41"), ("\ud800", "\\ud800"), ("é", "é"), ("\x1b", "\\u001b"),
    ("##[error]x", "##\\u005berror]x"),
])
def test_json_escapes_what_json_dumps_leaves_raw(raw, escaped):
    assert json_dumps(raw) == f'"{escaped}"'


def test_json_keeps_the_callers_options_and_readable_text():
    """plan --format json is indented for people to read, and names in any script read as written."""
    assert json_dumps({"name": "café\u202e", "n": 1}, indent=2, sort_keys=True) == (
        '{\n  "n": 1,\n  "name": "café\\u202e"\n}')


# --- GitHub workflow commands --------------------------------------------------------------------------------------

def runner_reads(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner parses it (`::name key=value,key=value::message`), values decoded."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line, re.DOTALL)
    assert match, line
    properties = dict(pair.split("=", 1) for pair in match.group(2).split(","))
    return match.group(1), {key: _decoded(value) for key, value in properties.items()}, _decoded(match.group(3))


def _decoded(text: str) -> str:
    for code, character in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, character)
    return text


@PROPERTY
@given(VALUES, VALUES, VALUES)
def test_a_workflow_command_carries_its_values_and_no_other_command(file, title, message):
    line = f"::error file={workflow_property(file)},title={workflow_property(title)}::{workflow_data(message)}"
    assert "\n" not in line and "\r" not in line and HIDDEN.search(line) is None
    name, properties, text = runner_reads(line)
    assert name == "error" and set(properties) == {"file", "title"}
    assert properties == {"file": shown(file), "title": shown(title)} and text == shown(message)


def shown(value: str) -> str:
    """A value as the runner shows it from a command: hidden characters but line ends shown, line ends kept."""
    return "\n".join("\r".join(map(visible, part.split("\r"))) for part in value.split("\n"))


def test_workflow_command_escaping_as_actions_core_writes_it():
    assert workflow_data("50% done\r\n::error::forged") == "50%25 done%0D%0A::error::forged"
    assert workflow_property("a:b,c=d%\n") == "a%3Ab%2Cc=d%25%0A"
    assert workflow_data("\x1b[31mred") == "\\x1b[31mred"  # the log viewer would colour it


# --- SARIF ---------------------------------------------------------------------------------------------------------

PATHS = st.lists(VALUES.filter(lambda part: part not in ("", ".", "..") and "/" not in part), min_size=1,
                 max_size=3).map("/".join)


@PROPERTY
@given(PATHS)
def test_a_sarif_uri_is_a_relative_reference_that_names_the_file(path):
    uri = sarif_uri(path)
    assert re.fullmatch(r"[A-Za-z0-9\-._~%/]*", uri)  # unreserved characters, '/' and percent-encodings only
    assert unquote(uri, errors="surrogateescape") in (path, visible(path))  # (the latter: a lone U+D800)


@pytest.mark.parametrize("path, uri", [
    ("applications/my app.yaml", "applications/my%20app.yaml"),
    ("applications/a#b?.yaml", "applications/a%23b%3F.yaml"),
    ("applications/100%.yaml", "applications/100%25.yaml"),
    ("c:/x.yaml", "c%3A/x.yaml"),  # not a scheme
    ("applications/café.yaml", "applications/caf%C3%A9.yaml"),
    # a name Python could not decode (os.fsdecode's surrogate escapes): its bytes encoded as they were on disk
    ("applications/caf\udce9.yaml", "applications/caf%E9.yaml"),
    ("applications/\ud800.yaml", "applications/%5Cud800.yaml"),  # no file name holds it: shown, then encoded
])
def test_sarif_uris_are_percent_encoded(path, uri):
    assert sarif_uri(path) == uri


@PROPERTY
@given(VALUES)
def test_a_sarif_message_holds_no_link_and_nothing_hidden(value):
    text = sarif_text(value)
    # nothing hidden but the zero-width spaces idamconf puts after what would link, mention or open HTML
    assert HIDDEN.search(text.replace(ZERO_WIDTH_SPACE, "")) is None
    assert all(text[i - 1] in "@#:wW<&" for i, c in enumerate(text) if c == ZERO_WIDTH_SPACE)
    unescaped = re.sub(r"\\[\\\[\]]", "", text)
    assert "[" not in unescaped and "]" not in unescaped  # SARIF's embedded links need a bare '['


# GitHub's code scanning renders a result's message as Markdown (an undocumented subset: code spans and HTML among
# it): CommonMark with GitHub's strikethrough and math stands for it.
MARKDOWN = MarkdownIt("commonmark").enable("strikethrough").use(dollarmath_plugin)


@PROPERTY
@given(VALUES, VALUES)
def test_a_sarif_message_is_plain_text_to_markdown(first, second):
    """Two values around idamconf's words: one paragraph of text, which reads as written -- no heading, quote or
    list, no emphasis, code, strikethrough, math, link, image, HTML or entity, idamconf's words whole between them."""
    written = f"{first} is also used by {second}."
    tokens = MARKDOWN.parse(sarif_message(written))
    assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert {child.type for child in tokens[1].children} == {"text"}
    read = "".join(child.content for child in tokens[1].children).replace(ZERO_WIDTH_SPACE, "")
    assert read.strip(" ") == visible(written).strip(" ")
    message = sarif_message(written)  # and GitHub's own links: no mention, no autolinked URL
    assert CAN_MENTION.search(message) is None and "://" not in message and "www." not in message.lower()


@pytest.mark.parametrize("value, text", [
    ("[x](y)", "\\[x\\](y)"),
    ("a\\[b]", "a\\\\\\[b\\]"),  # a backslash before a bracket doubled: the bracket stays literal
    ("C:\\temp\\\\]", "C:\\temp\\\\\\\\\\]"),  # two backslashes before it: four, then its own
    ("C:\\temp", "C:\\temp"),  # a backslash elsewhere is left alone
    ("C:\\temp\\", "C:\\temp\\\\"),  # ... but at the end: idamconf's next character may be punctuation
    # GitHub renders the message as Markdown: code, emphasis, strikethrough and math escaped ('_' only where it
    # could open or close emphasis), and a zero-width space after what would start HTML, an entity, a mention or a link
    ("`x` *y* ~~z~~ $m$", "\\`x\\` \\*y\\* \\~\\~z\\~\\~ \\$m\\$"),
    ("_x_ IDAMCONF_CLIENT_SECRET", "\\_x\\_ IDAMCONF_CLIENT_SECRET"),
    ("<!-- <b> &#x202e; &amp; a < b & c", "<\u200b!-- <\u200bb> &\u200b#x202e; &\u200bamp; a < b & c"),
    ("@team #1 https://e.x www.e.x", "@\u200bteam #\u200b1 https:\u200b//e.x www\u200b.e.x"),
])
def test_sarif_text_escapes_brackets_and_the_backslashes_before_them(value, text):
    assert sarif_text(value) == text


@pytest.mark.parametrize("text, message", [
    ("appRoles[0].value: x", "appRoles\\[0\\].value: x"), ("'x' is not valid", "'x' is not valid"),
    ("# x: y", "\u200b# x: y"), ("> x", "\u200b> x"), ("- x", "\u200b- x"), ("1. x", "\u200b1. x"),
    ("    x", "\u200b    x"),  # no heading, quote, list or code block: it is one line of text
])
def test_a_sarif_message_starts_no_block(text, message):
    assert sarif_message(text) == message


def test_a_sarif_results_message_starts_no_block(tmp_path):
    finding = Finding("owners.two", "warning", "1. owner", "add one", str(tmp_path / "a.yaml"), 3, 5, "- x")
    [result] = json.loads(render_sarif([finding], Path(tmp_path)))["runs"][0]["results"]
    assert result["message"]["text"] == "\u200b- x: 1. owner. Fix: add one."


def test_the_sarif_log_encodes_file_names_and_escapes_messages(tmp_path):
    file = tmp_path / "applications" / "my app#1.yaml"
    finding = Finding("owners.two", "warning", "owner [x](1) \x1b[2K\u202e", "add one", str(file), 3, 5)
    log = json.loads(render_sarif([finding], Path(tmp_path)))
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "applications/my%20app%231.yaml"
    assert result["message"]["text"] == "owner \\[x\\](1) \\x1b\\[2K\\u202e. Fix: add one."


def test_a_sarif_logical_location_shows_what_is_hidden_and_keeps_its_brackets(tmp_path):
    """A path quotes the file's keys (an environment's name under overrides): shown, never raw, in the message and
    in the logical location -- where SARIF gives brackets no meaning, so they stay the path's own."""
    finding = Finding("owners.two", "warning", "one owner", "add one", str(tmp_path / "a.yaml"), 3, 5,
                      "overrides.li\u202eve.owners[0]")
    [result] = json.loads(render_sarif([finding], Path(tmp_path)))["runs"][0]["results"]
    assert result["message"]["text"] == "overrides.li\\u202eve.owners\\[0\\]: one owner. Fix: add one."
    assert result["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "overrides.li\\u202eve.owners[0]",
                                                           "kind": "value"}]


FINDINGS = st.builds(Finding, rule=VALUES, severity=st.sampled_from(["error", "warning", "note"]), summary=VALUES,
                     fix=VALUES, file=PATHS, line=st.integers(0, 10**6), column=st.integers(0, 10**4), path=VALUES,
                     note=VALUES)


@settings(deadline=None, database=None, max_examples=40)  # whole documents: fewer, larger examples
@given(st.lists(FINDINGS, max_size=4), VALUES)
def test_annotations_are_one_command_each_carrying_their_values(findings, summary):
    """validate and lint --format github: each finding is one workflow command naming its file, line and column;
    nothing a value holds starts another command, or a line of its own."""
    from idamconf.lint.findings import weighed
    from idamconf.lint.render_github import render as render_github

    text = render_github(findings, Path("/work/repository"), terminal(summary))
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == len(findings) + 2
    for line, finding in zip(lines, weighed(findings)):  # errors first, then rarer rules (GitHub shows 10 a level)
        name, properties, message = runner_reads(line)
        assert name == {"error": "error", "warning": "warning"}.get(finding.severity, "notice")
        assert properties["line"] == str(max(finding.line, 1)) and properties["col"] == str(max(finding.column, 1))
        assert properties["file"].startswith("..") and HIDDEN.search(line) is None
        assert properties["title"] == shown(f"idamconf lint: {finding.rule}")
        inside = f"{finding.path}: " if finding.path else ""
        note = f" ({finding.note})" if finding.note else ""
        fix = f"\nfix: {finding.fix}" if finding.fix else ""
        assert message == shown(f"{inside}{finding.summary}{note}{fix}")
    assert not lines[-2].lstrip().startswith("::") and "##[" not in lines[-2]  # the summary: no command either
