"""The one clock idamconf and its emulator read: UTC now, which tests move forward (`advance`) to see secrets
rotate over simulated months without waiting. Only tests move it; nothing a configuration or an environment
variable says can, so a real apply always plans by the real time."""

from __future__ import annotations

import datetime as _dt

_offset = _dt.timedelta(0)


def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc) + _offset


def advance(days: float = 0, seconds: float = 0) -> None:
    """Move the clock forward (tests only): plans, applies and the emulator (Graph and Key Vault) all see it."""
    global _offset
    _offset += _dt.timedelta(days=days, seconds=seconds)


def reset() -> None:
    global _offset
    _offset = _dt.timedelta(0)
