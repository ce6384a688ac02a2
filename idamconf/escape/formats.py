"""Escaping for the plain formats: the terminal, JSON, GitHub workflow commands and SARIF."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from .characters import json_escaped, visible
from .markdown import ZERO_WIDTH_SPACE, unlinked


# What a GitHub runner reads in a job's log as a workflow command: `::name ...::` at the start of a line (after
# spaces), and the older `##[name ...]` anywhere in one.
_COMMAND = re.compile(r"^(\s*):(?=:)|##\[")


def terminal(value: str) -> str:
    """A value in human output -- plan, apply's progress and reports, validate and lint, error messages (Graph's
    included: they come from the tenant) -- whether or not stdout is a terminal: a pipeline's log is read too.
    Control, bidi and invisible characters are shown (\\x1b, \\n, \\u202e), so a value never moves the cursor,
    writes the clipboard, reorders what is shown or starts a new line; and what a runner would take for a workflow
    command is broken (`\\x3a:error::`, `##\\x5b`), wherever the value stands in its line."""
    shown = visible(value)
    if "##[" not in shown and not shown.lstrip().startswith("::"):  # nearly every value: no regular expression
        return shown
    return _COMMAND.sub(_no_command, shown)


def _no_command(match: re.Match) -> str:
    return "##\\x5b" if match.group() == "##[" else match.group(1) + "\\x3a"


def json_dumps(value, **options) -> str:
    """A JSON document (plan and apply --format json, lint's SARIF) that keeps non-ASCII text readable, as
    json.dumps(ensure_ascii=False) does, without the characters it would leave raw: DEL, C1 and bidi controls,
    U+2028/U+2029 (line ends in JavaScript), zero-width and other invisible ones are written \\uXXXX; so is the '['
    of `##[`, which a runner reading the document in a log would take for a workflow command."""
    return json_escaped(json.dumps(value, ensure_ascii=False, **options)).replace("##[", "##\\u005b")


def workflow_data(value: str) -> str:
    """The message of a GitHub workflow command (`::error file=F,line=L::MESSAGE`), as @actions/core's escapeData
    writes it: %, CR and LF percent-encoded -- the runner decodes them after it has read the command, so a line
    break in a value stays inside the message and can never start a command of its own. The other hidden
    characters are shown (\\x1b): the log viewer renders ANSI sequences."""
    encoded = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(encoded)


def workflow_property(value: str) -> str:
    """A property of a workflow command (`file=`, `title=`...): as data, and also ':' and ',' -- which would end the
    properties or start the next one -- as @actions/core's escapeProperty writes them."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


def sarif_uri(path: str) -> str:
    """`artifactLocation.uri` for a path relative to the repository root (with '/'): a relative reference (RFC 3986)
    whose segments are percent-encoded, UTF-8 -- a space, '#', '?', '%', ':' and every non-ASCII character -- so
    code scanning finds the file whatever it is called. Bytes Python could not decode are encoded as they were (any
    other lone surrogate, which no file name holds, as it is shown: \\ud800)."""
    try:
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(visible(path), safe="/")


def sarif_name(value: str) -> str:
    """A SARIF string that is not a message (a logical location's `fullyQualifiedName`): hidden characters shown,
    and nothing else -- SARIF gives it no markup, so its brackets are the name's own (`appRoles[2].value`)."""
    return visible(value)


# A backslash before ASCII punctuation escapes it in Markdown (and a bracket or a backslash in SARIF): doubled there,
# and at the end of a value (what follows it is not the value's), it stays a backslash.
_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|\Z)")
# Characters that pair with another anywhere in a line: SARIF's link brackets, and Markdown's code, emphasis,
# strikethrough and math ('_' only where it could open or close emphasis: never between two letters or digits, as in
# IDAMCONF_CLIENT_SECRET). Each is backslash-escaped.
_PAIRED = re.compile(r"[\[\]`*~$]|(?<![^\W_])_|_(?![^\W_])")
# Markup that needs two characters side by side: an HTML tag, comment or autolink (`<a`, `</`, `<!`, `<?`), an
# entity (`&#x202e;` would write a hidden character). A zero-width space between them breaks it, and reads the same.
_ADJACENT = re.compile(r"[<&](?=[A-Za-z/!?#])")


def sarif_text(value: str) -> str:
    """A value in a SARIF plain-text message (`message.text`), which GitHub's code scanning renders as Markdown (an
    undocumented subset, with code spans and HTML in it): hidden characters shown; square brackets backslash-escaped
    as SARIF 2.1.0 (3.11.6) asks -- `[text](target)` is an embedded link -- and so are Markdown's code, emphasis,
    strikethrough and math characters (a SARIF viewer that renders no Markdown shows their backslash); a
    zero-width space breaks an HTML tag, comment or entity, a mention, an issue reference and an autolink, and
    reads the same everywhere. So a value can neither link, load, mention, hide the rest of the message (`<!--`)
    nor write a hidden character (`&#x202e;`), nor strike or hide idamconf's words between two of its values."""
    escaped = _PAIRED.sub(lambda match: "\\" + match.group(), _BACKSLASH.sub(r"\\\\", visible(value)))
    return unlinked(_ADJACENT.sub(lambda match: match.group() + ZERO_WIDTH_SPACE, escaped))


def sarif_message(text: str) -> str:
    """A whole SARIF message: sarif_text, and a zero-width space first unless it starts with a letter or a quote,
    so that nothing at the start of the line (`#`, `>`, `-`, `1.`, four spaces) makes a heading, a quote, a list
    or code of it. Apart from sarif_text, so that a value escapes alike wherever it stands (redaction relies on
    it)."""
    escaped = sarif_text(text)
    return escaped if escaped[:1].isalpha() or escaped[:1] in "'\"" else ZERO_WIDTH_SPACE + escaped
