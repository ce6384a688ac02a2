"""The characters a value never carries raw into any output, and how each format writes them instead.

A name, a description, a file name or a message Graph sent back may hold anything. What makes it dangerous is
never visible: a control character moves the cursor, writes the clipboard (OSC 52), erases a line or ends one; a
bidirectional override shows text in another order than it is stored; a zero-width character makes two different
names look alike. So these are shown (terminal, Markdown, SARIF, workflow commands) or escaped (JSON), never
emitted as they are.
"""

from __future__ import annotations

import re

# Beyond C0: DEL and the C1 controls (0x9b is CSI to terminals that read 8-bit controls, 0x85 ends a line); every
# format character of Unicode 15 (category Cf: bidi embeddings, overrides, isolates and marks, U+061C, zero-width
# spaces and joiners, the soft hyphen, the byte-order mark, interlinear annotations, tag characters...); the line and
# paragraph separators (Zl, Zp: JavaScript and some editors end a line there); lone surrogates (a file name Python
# could not decode); and characters that draw nothing although they are letters or marks (Hangul fillers, Khmer
# inherent vowels, the combining grapheme joiner, Mongolian and other variation selectors: every Default_Ignorable
# code point, which draws nothing, as the unassigned ones may once). tests/escape checks that every Cc, Cf, Zl, Zp and
# Cs character of the running Python's Unicode database is here, and every Default_Ignorable_Code_Point of Unicode 15.
_BEYOND_C0 = (r"\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
              r"\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ud800-\udfff\ufe00-\ufe0d\ufeff\uffa0"
              r"\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
              r"\U000e0000-\U000e0fff")
# The two presentation selectors (text, emoji) show when they follow a symbol -- idamconf's own icons are written
# "🗑️" -- and draw nothing after anything else: "Finance\ufe0f" looks like "Finance".
_SELECTOR = (r"(?<![\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2bff\u3030\u303d\u3297\u3299"
             r"\U0001f000-\U0001faff])[\ufe0e\ufe0f]")
HIDDEN = re.compile(rf"[\x00-\x1f{_BEYOND_C0}]|{_SELECTOR}")
_LEFT_RAW_BY_JSON = re.compile(rf"[{_BEYOND_C0}]|{_SELECTOR}")  # json.dumps escapes C0 (and " and \) itself
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """`text` with every hidden character written as Python writes it in a string literal: \\x1b, \\n, \\u202e,
    \\U000e0041. The result is one line of characters that each draw something (or a space).

    A backslash is left as it is, so a name that spells out `\\x1b` reads the same as one holding ESC: what matters
    is that nothing is hidden or executed, and doubling every backslash would garble every Windows path and regex.
    """
    if text.isascii() and text.isprintable():  # nearly every value: no look-up at all
        return text
    return HIDDEN.sub(_shown, text)


def _shown(match: re.Match) -> str:
    character = match.group()
    code = ord(character)
    if character in _NAMED:
        return _NAMED[character]
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, in a name from the disk or git (os.fsdecode): that byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def json_escaped(document: str) -> str:
    """A JSON document from json.dumps(ensure_ascii=False) with the hidden characters it left raw written as
    \\uXXXX escapes (astral ones as a surrogate pair). They can only occur inside strings, so the document stays
    valid and means the same."""
    if document.isascii() and "\x7f" not in document:  # a large plan's megabytes, at memory speed
        return document
    return _LEFT_RAW_BY_JSON.sub(_json_escape, document)


def _json_escape(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"
