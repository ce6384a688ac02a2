"""Hostile values, as a pull request or a tenant could write them, and a plan made of them.

Values are arbitrary Unicode (lone surrogates included: a file name Python could not decode) mixed with the pieces
each attack class is made of: terminal escapes (OSC 52 clipboard write, cursor up, erase line, colours, 8-bit CSI),
line ends, workflow commands, Markdown and HTML that would end a block or open one, the comment's marker, mentions,
links, bidi controls and invisible characters, Mermaid and SARIF syntax.
"""

from __future__ import annotations

from hypothesis import strategies as st

from idamconf.plan.model import DISABLE_FIRST, Action, AttributeChange, Change, Plan

PIECES = (
    "\x1b]52;c;aGFja2Vk\x07", "\x1b]52;c;aGFja2Vk\x1b\\", "\x1b[1A", "\x1b[2K", "\x1b[31m", "\x1b[2J\x1b[H", "\x9b1A",
    "\x1bP+q\x1b\\", "\r\n", "\n", "\r", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x00", "\x07", "\x7f", "\t",
    "::error::pwned", "::error file=x,line=1::pwned", "::set-env name=X::y", "::add-mask::x", "##[error]x",
    "`", "``", "```", "````", "~~~", "<!--", "-->", "<!-- idamconf-plan -->", "<!-- idamconf-apply -->", "<details>",
    "</details>", "<summary>", "</summary>", "<code>", "</code>", "<img src=x onerror=alert(1)>", "<script>", "<",
    ">", "&", "&lt;", "&#124;", "|", "\\|", "\\", "\\\\|", "@team", "@org/team", " @x", "x@y.z", "[x](https://e.x)",
    "![i](https://e.x/i.png)", "https://evil.example/", "www.evil.example", "#1", "*", "**", "_", "$", "$$", "~",
    "[", "]", "(", ")", "!", "\"", "'", "#quot;", "#35;", ";", "%", "%0A", "%25", ":", "::", ",", "=", "-", "--",
    "---", "- ", "# ", "> ", "1. ", "\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
    "\u061c", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u3164", "\U000e0041", "\ud800", "\udfff", "é", "日本",
    "👨‍👩‍👧", " ", "  ", "",
)
HOSTILE = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), min_size=1, max_size=6).map("".join)
VALUES = HOSTILE | st.text()  # the targeted alphabets, and anything at all


def plan_of(names: list[str]) -> Plan:
    """A plan touching each kind of change -- create, update, the disable-first step, delete, replacement -- whose
    every name, address part and value is taken from `names` (eight strings)."""
    app, role, catalog, package, person, text, other, message = names
    base = f"app.{app}.role.{role}.access_package"
    policy = {"approvers": [person, other], "review": {"reviewers": [person], "schedule": text}}
    changes = (
        Change(f"catalog[{catalog}]", "catalog", "", Action.CREATE, None, {"displayName": catalog}),
        Change(f"app.{app}", "application", app, Action.UPDATE, {"displayName": text}, {"displayName": other},
               (AttributeChange("displayName", text, other), AttributeChange(message, [text], [other]))),
        Change(f"app.{app}.role.{role}", "role", app, Action.UPDATE, {"isEnabled": True}, {"isEnabled": False},
               (AttributeChange("isEnabled", True, False),), DISABLE_FIRST),
        Change(f"app.{app}.role.{role}", "role", app, Action.DELETE, {"value": role, "description": text}, None),
        Change(base, "access_package", app, Action.DELETE, {"displayName": package, "catalog": other}, None),
        Change(base, "access_package", app, Action.CREATE, None, {"displayName": package, "catalog": catalog}),
        Change(f"{base}.policy", "policy", app, Action.CREATE, None, policy),
        Change(f"app.{app}.owner.{person}", "owner", app, Action.DELETE, {"userPrincipalName": person}, None),
        Change(f"app.{other}", "application", other, Action.DELETE, {"displayName": message}, None),
    )
    return Plan(message, text, other, changes)


BENIGN = [f"v{number}" for number in range(8)]
NAMES = st.lists(VALUES, min_size=8, max_size=8)
