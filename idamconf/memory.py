"""Giving freed memory back to the system, where the C library keeps it.

A plan of 10,000 applications holds, for a while, tens of thousands of mid-sized blocks -- each application read
while the files were (graph/early.py), held as `marshal` data until the plan takes it. Python gives such blocks
(over 512 bytes) to the C library's `malloc`, and glibc keeps freed ones in its heap for reuse by `malloc` only:
Python's own small objects, made next (the plan's resources, the diff), come from separate mappings, so the freed
heap would stay part of the process's resident memory to the end. glibc's `malloc_trim` returns it (measured: the
no-change plan's peak 413 MB without, 371 MB with; docs/performance.md). Elsewhere -- another C library, another
system -- there is nothing to do, and nothing is done.
"""

from __future__ import annotations

import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _trim():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: another name, or no malloc_trim (musl)
        return None


def give_back() -> None:
    """Return the C library's freed heap memory to the system (glibc); nothing elsewhere."""
    trim = _trim()
    if trim is not None:
        trim(0)
