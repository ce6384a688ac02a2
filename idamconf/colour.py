"""Whether a command colours what it prints: one rule for every command that can (plan, drift and apply's plans;
emulator serve's log, which uvicorn would otherwise colour on a terminal whatever NO_COLOR says). Each takes
cli.Colour, `--colour/--no-colour`, and asks here: the flag decides when given; otherwise colour only on a terminal,
and never with NO_COLOR set (https://no-color.org: to any value but empty). Light: no import beyond the standard
library, for commands that import little."""

from __future__ import annotations

import os
import sys


def use_colour(requested: bool | None, stream=None) -> bool:
    """`stream`: where the coloured text goes (default standard output)."""
    if requested is not None:
        return requested
    stream = stream if stream is not None else sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR")
