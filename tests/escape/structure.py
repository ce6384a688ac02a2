"""A Markdown document's structure as GitHub reads it, line by line -- so that a test can check that hostile values
changed nothing but the text inside cells, code and summaries."""

from __future__ import annotations

import re

CELL_BOUNDARY = re.compile(r"(?<!\\)\|")  # cmark-gfm: a '|' after a backslash is inside the cell
FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
CAN_MENTION = re.compile(r"(?<![A-Za-z0-9._%+'#-])@(?!\u200b)")  # an '@' that could start a mention
OPENS_HTML = re.compile(r"<[A-Za-z/!?]")


def lines_of(document: str) -> list[tuple]:
    """(kind, detail, line) per line: marker, heading, row (number of cells), details, end-details, fence (info),
    code, end-fence, blank or text."""
    kinds, fence = [], None
    for line in document.split("\n"):
        if fence is not None:
            closing = re.fullmatch(rf"{re.escape(fence[0])}{{{len(fence)},}}\s*", line)
            kinds.append(("end-fence", "", line) if closing else ("code", "", line))
            fence = None if closing else fence
        elif match := FENCE.match(line):
            fence = match.group(1)
            kinds.append(("fence", match.group(2), line))
        else:
            kinds.append(_outside_code(line))
    return kinds


def _outside_code(line: str) -> tuple:
    if line.startswith("<!-- idamconf-"):
        return ("marker", "", line)
    if line.startswith("#"):
        return ("heading", len(line) - len(line.lstrip("#")), line)
    if line.startswith("|"):
        return ("row", len(CELL_BOUNDARY.split(line)) - 2, line)
    if line.startswith("<details>"):
        return ("details", "", line)
    if line == "</details>":
        return ("end-details", "", line)
    return ("blank", "", line) if not line else ("text", "", line)


def kinds(document: str, kind: str) -> list[tuple]:
    return [entry for entry in lines_of(document) if entry[0] == kind]


CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)|<code>.*?</code>")


def prose(document: str) -> str:
    """The document without its code (fences, code spans, <code> elements): what GitHub links and mentions in."""
    return "\n".join(CODE_SPAN.sub("", line) for kind, _, line in lines_of(document)
                     if kind not in ("fence", "code", "end-fence"))
