"""idamconf/memory.give_back: freed heap memory returned to the system where glibc kept it."""

import sys

import pytest

from idamconf import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_blocks_kept_by_glibc_are_given_back():
    def resident_kb() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4

    blocks = [bytes(2000) + bytes([i % 256]) for i in range(50_000)]  # ~100 MB of malloc's mid-sized blocks,
    kept = blocks[::500]  # a few of them kept: glibc can then not simply shorten its heap
    held = resident_kb()
    del blocks
    freed = resident_kb()  # glibc keeps the freed blocks' pages
    memory.give_back()
    assert freed > held - 20_000  # (most of the 100 MB still resident)
    assert resident_kb() < freed - 50_000, kept[0][:1]
