"""Output read only in part (`idamconf schema | head -1`): the reader leaving is not a failure -- no "unexpected
error" and no log of one (a new user's walkthrough, session 47)."""

from __future__ import annotations

import subprocess
import sys


def test_a_reader_that_leaves_early_is_no_error(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "idamconf", "schema"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path)
    process.stdout.read(1)
    process.stdout.close()  # as `head -1` does once it has its line
    said = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, said
    assert "unexpected" not in said and "Traceback" not in said, said
