"""Which characters are hidden, and how they are shown: the table every format shares."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idamconf.escape.characters import HIDDEN, visible

from .hostile import VALUES

PROPERTY = settings(deadline=None, database=None, max_examples=150)
NEVER_RAW = ("Cc", "Cf", "Zl", "Zp", "Cs")  # controls, format characters (bidi...), line/paragraph separators


def test_every_control_format_and_separator_character_of_this_python_is_hidden():
    missing = [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
               if unicodedata.category(chr(code)) in NEVER_RAW and not HIDDEN.fullmatch(chr(code))]
    assert missing == [], f"add these to escape/characters.py (Unicode {unicodedata.unidata_version}): {missing}"


# Default_Ignorable_Code_Point, Unicode 15 (DerivedCoreProperties.txt): characters that draw nothing, assigned or
# not -- Python's unicodedata does not give this property, so it is written out. A variation selector (U+FE0F) after
# a letter makes "Finance" and "Finance\ufe0f" look alike: a catalog's change of name, which replaces a package,
# would read as nothing.
DEFAULT_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                     (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
                     (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]


def test_every_default_ignorable_character_is_hidden():
    missing = [f"U+{code:04X}" for first, last in DEFAULT_IGNORABLE for code in range(first, last + 1)
               if not HIDDEN.fullmatch(chr(code))]
    assert missing == []


def test_a_variation_selector_is_shown_in_every_format():
    from idamconf.escape import json_dumps, md_text, terminal

    for hidden in ("\ufe0f", "\ufe00", "\U000e0100"):
        value = "Finance" + hidden
        assert terminal(value) != value and md_text(value) != value and hidden not in json_dumps(value)
    for icon in ("🗑️", "✏️", "♻️", "⚠️"):  # after a symbol, it shows: the emoji's presentation (idamconf's own icons)
        assert terminal(icon) == icon and md_text(icon) == icon


def test_fillers_that_draw_nothing_are_hidden_too():
    for filler in ("\u115f", "\u1160", "\u3164", "\uffa0", "\u034f", "\u17b4"):
        assert HIDDEN.fullmatch(filler)


@pytest.mark.parametrize("raw, shown", [
    ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),  # OSC 52: writes the clipboard
    ("\x1b[1A\x1b[2K", "\\x1b[1A\\x1b[2K"),  # cursor up, erase line: rewrites what was shown
    ("\x9b2J", "\\x9b2J"),  # 8-bit CSI
    ("a\r\nb\tc", "a\\r\\nb\\tc"),
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
    ("x\U000e0041", "x\\U000e0041"),  # a tag character: invisible
    ("\ud800", "\\ud800"),  # a lone surrogate cannot even be written to a UTF-8 stream
    ("caf\udce9.yaml", "caf\\xe9.yaml"),  # a name's byte that is not UTF-8 (os.fsdecode): the byte on disk
    ("é 日本 C:\\temp", "é 日本 C:\\temp"),  # everything that draws itself stays
])
def test_hidden_characters_are_shown_as_python_writes_them(raw, shown):
    assert visible(raw) == shown


@PROPERTY
@given(VALUES)
def test_what_is_visible_holds_nothing_hidden_and_is_one_line(value):
    shown = visible(value)
    assert HIDDEN.search(shown) is None
    assert len(shown.splitlines()) <= 1
    shown.encode("utf-8")  # no lone surrogate left


@PROPERTY
@given(st.text().filter(lambda text: HIDDEN.search(text) is None))
def test_a_value_with_nothing_hidden_is_shown_as_it_is(value):
    assert visible(value) == value
