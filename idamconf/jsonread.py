"""JSON from outside idamconf's own process (a saved plan, a plan job's file, a command-line list, a cache a person
may have edited): every way such a document can fail to parse is a ValueError, which each reader already turns
into a diagnostic or a "damaged, ignored".

The one way json.loads has that is not: a document nested deeper than the interpreter's recursion limit (about
a thousand `[`) raises RecursionError from the decoder -- an 'unexpected RecursionError' where a broken file was
meant (session 51)."""

from __future__ import annotations

import json


class TooDeep(ValueError):
    pass


def loads(text: str | bytes):
    try:
        return json.loads(text)
    except RecursionError:
        raise TooDeep("the JSON is nested too deeply to read (about a thousand levels or more)") from None
