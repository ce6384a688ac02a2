"""JSON from outside idamconf's own process (a saved plan, a plan job's file, a command-line list, a cache a person
may have edited, a request to the emulator): every way such a document can fail to parse is a ValueError, which each
reader already turns into a diagnostic, a "damaged, ignored" or Graph's 400.

The one way json.loads has that is not: a document nested deeper than the interpreter's recursion limit (about
a thousand `[`) raises RecursionError from the decoder -- an 'unexpected RecursionError' where a broken file was
meant (session 51). A reader that takes only standard JSON (the emulator, as Graph) also refuses NaN and Infinity,
which Python's decoder accepts and JSON has not, and may bound the nesting and refuse text that is not Unicode
(`well_formed`)."""

from __future__ import annotations

import json


class TooDeep(ValueError):
    pass


def loads(text: str | bytes, standard: bool = False):
    """`standard`: NaN, Infinity and -Infinity are refused, as JSON (RFC 8259) has no such value."""
    try:
        return json.loads(text, parse_constant=_refused if standard else None)
    except RecursionError:
        raise TooDeep("the JSON is nested too deeply to read (about a thousand levels or more)") from None


def well_formed(document, deepest: int) -> bool:
    """Whether a parsed document is nested at most `deepest` levels (an object or array in another is 2), and its
    every key and string is Unicode text: `"\\udcff"`, half a surrogate pair, is a JSON escape that parses into a
    string no encoder can write. Walked without recursion, so that any depth can be asked about."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if not utf8_text(value):
                return False
            continue
        children = [*value, *value.values()] if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > deepest:
            return False
        pending += [(child, depth + 1) for child in children]
    return True


def shallow(document, deepest: int) -> bool:
    """Whether a parsed document is nested at most `deepest` levels; level by level over its objects and arrays
    only (a third of the time parsing took, for a plan of 130,000 changes), for a reader that then walks it
    recursively: one parsed just under the interpreter's recursion limit fails any such walk."""
    level, depth = [document], 1
    while level:
        if depth > deepest:
            return False
        level, depth = [child for value in level for child in (value.values() if type(value) is dict else value)
                        if type(child) is dict or type(child) is list], depth + 1
    return True


def utf8_text(text: str) -> bool:
    """Whether `text` can be written as UTF-8: not when it holds a lone surrogate (a byte os.fsdecode could not
    decode, or half a pair from JSON's \\udcxx)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refused(constant: str):
    raise ValueError(f"{constant} is not a JSON value")
