"""Escaping for GitHub-flavoured Markdown (the pull-request comment, apply's report), by where a value is written:

- `md_text`: prose, table cells included -- every character that starts inline markup backslash-escaped ('&', '<'
  and '>' as entities), so no emphasis, code, link, image, math, HTML, comment, entity or cell boundary can start
  (block markup needs the start of a line, which a value never has: each is written after idamconf's own text);
- `md_code`: an inline code span -- delimited by more backticks than any run inside; '|' escaped in a table;
- `md_html`: text inside an HTML block (`<details><summary>`) -- HTML-escaped;
- `md_fence`: lines of a fenced code block -- a fence longer than any backtick run inside;
- `mermaid_label`: a Mermaid label -- everything but letters, digits, '.', '_' and spaces as Mermaid entity codes
  (`#64;`), so a label can neither leave its quotes nor hold a backtick.

In all of them hidden characters are shown (characters.visible): a value never ends a line, so it never ends a
table row, an HTML block, a fence or the comment's structure, and never starts a line of its own. Prose is never a
mention, a reference or a link: a zero-width space follows every '@' (as Dependabot writes mentions it must not
send), a '#' before a digit, the ':' of '://' and a 'www' before '.'. GitHub neither links nor mentions inside
code, so e-mail addresses and URLs there stay exactly as written, to be copied; but an '@' outside an e-mail address
and a '<' that could start a tag, a comment or the comment's marker get a zero-width space there too, so that even a
search of the raw text finds no `@team`, no `</details>` and no second marker.
"""

from __future__ import annotations

import html
import re

from .characters import visible

ZERO_WIDTH_SPACE = "\u200b"
# Prose: no mention, no issue reference, no e-mail or URL autolink; and in prose and code alike, no `##[`, which a
# runner reading the document in a log would take for a workflow command.
_UNLINKED = re.compile(r"@|#(?=[0-9])|:(?=//)|(?i:www)(?=\.)|(?<=#)#(?=\[)")
# Code: an '@' that is not inside an e-mail address (local@domain.tld), and a '<' that could start a tag.
_INERT_IN_CODE = re.compile(
    r"(?<![A-Za-z0-9._%+'#-])@|@(?![A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)|<(?=[A-Za-z/!?])|(?<=#)#(?=\[)")
_MARKUP = {ord(c): "\\" + c for c in "\\`*_[]()!|~$"} | {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_BACKTICKS = re.compile(r"`+")
_MERMAID_ENCODED = re.compile(r"[^A-Za-z0-9 ._]")


def md_text(value: str) -> str:
    """Prose, or a table cell: reads as written, and nothing in it is markup."""
    return unlinked(visible(value)).translate(_MARKUP)


def unlinked(text: str) -> str:
    """`text` (hidden characters already shown) with a zero-width space after whatever GitHub would make a mention,
    an issue reference or a link of in prose: it reads the same, and acts as nothing (SARIF messages use it too)."""
    return _UNLINKED.sub(_followed_by_space, text)


def md_code(value: str, table: bool = False) -> str:
    """An inline code span (`table`: inside a table row, where '|' ends the cell even in code unless escaped)."""
    content = _inert_in_code(visible(value))
    if table:
        content = content.replace("|", "\\|")
    fence = "`" * (_longest_backtick_run(content) + 1) if "`" in content else "`"
    if not content or content[0] in "` " or content[-1] in "` ":
        content = f" {content} "  # CommonMark strips one space from each side
    return f"{fence}{content}{fence}"


def md_html(value: str, code: bool = False) -> str:
    """Text inside an HTML block (the summary of a `<details>`): no tag, entity or line break of its own. `code`:
    as a `<code>` element, where (as in any code) e-mail addresses and URLs stay as written."""
    if code:
        return f"<code>{html.escape(_inert_in_code(visible(value)), quote=True)}</code>"
    return html.escape(unlinked(visible(value)), quote=True)


def md_fence(lines: list[str], info: str) -> list[str]:
    """A fenced code block of `lines` (each a line, values in it not yet escaped), with the `info` string given
    (`diff`, `mermaid`): its fence is longer than any run of backticks inside, so nothing inside can close it."""
    shown = [_inert_in_code(visible(line)) for line in lines]
    fence = "`" * max(3, max(map(_longest_backtick_run, shown), default=0) + 1)
    return [fence + info, *shown, fence]


def mermaid_label(value: str) -> str:
    """A Mermaid node label (inside `["..."]`) or edge label: reads as written once Mermaid decodes its entities."""
    return _MERMAID_ENCODED.sub(lambda match: f"#{ord(match.group())};", visible(value))


def _inert_in_code(text: str) -> str:
    if "@" not in text and "<" not in text and "##[" not in text:  # most addresses: no regular expression
        return text
    return _INERT_IN_CODE.sub(_followed_by_space, text)


def _followed_by_space(match: re.Match) -> str:
    return match.group() + ZERO_WIDTH_SPACE


def _longest_backtick_run(text: str) -> int:
    return max(map(len, _BACKTICKS.findall(text)), default=0)
