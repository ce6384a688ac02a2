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


def years_later(moment: _dt.datetime, years: int) -> _dt.datetime:
    """`moment` `years` calendar years on, 29 February becoming 28 February: how Graph counts the years of a
    credential's life (a password's default two, a token-signing certificate's most and default three), which
    days of 365.25 overshoot by a day in the three years after a 29 February."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def graph_time(text) -> _dt.datetime:
    """A timestamp as Graph writes it ("2026-12-06T23:00:00Z", or with a fraction of a second or "+00:00"), to the
    second, in UTC; ValueError if it is not one. Graph's credential timestamps are UTC: what follows the seconds is
    dropped, so a fraction never makes a credential read back differently from how it was written."""
    return _dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")[:19] + "+00:00")
