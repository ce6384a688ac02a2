"""Parts c and d of `make reliability`: test suites run as a user would run them, their results read from JUnit XML.

c. `pytest tests/bad_inputs` -- the hostile-input corpus (each case: refused with its expected message, exit 1, no
   traceback, `connect` never called, no tenant state) and the loader's hypothesis properties, here as a real
   random search: `--hypothesis-profile=default` (hypothesis's default budget; the suite derandomizes them, see
   tests/bad_inputs/conftest.py) and a fresh `--hypothesis-seed`, reported so that a failure can be replayed.
d. `pytest tests/reliability/test_canary.py` -- the secret canary.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_TEST = "test_bad_input_is_refused_with_a_diagnostic"


@dataclass
class Suite:
    command: str
    code: int
    seconds: float
    outcomes: dict[str, str]  # test id -> passed | failed | error | skipped | xfailed
    failures: dict[str, str] = field(default_factory=dict)  # test id -> first line of the failure
    statistics: dict[str, dict] = field(default_factory=dict)  # property -> {"passing", "failing", "stopped"}
    seed: int | None = None

    def count(self, prefix: str = "", status: str | None = None) -> int:
        return sum(1 for name, outcome in self.outcomes.items()
                   if name.startswith(prefix) and (status is None or outcome == status))


def hostile_inputs() -> Suite:
    seed = random.SystemRandom().randrange(2 ** 31)
    suite = run_pytest(["tests/bad_inputs", "--hypothesis-profile=default", f"--hypothesis-seed={seed}",
                        "--hypothesis-show-statistics"])
    suite.seed = seed
    return suite


def canary() -> Suite:
    return run_pytest(["tests/reliability/test_canary.py"])


def run_pytest(arguments: list[str]) -> Suite:
    with tempfile.TemporaryDirectory(prefix="idamconf-suite-") as temporary:
        junit = Path(temporary) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *arguments]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.monotonic() - started
        outcomes, failures = read_junit(junit) if junit.exists() else ({}, {"pytest": done.stderr[-300:]})
    shown = "python -m pytest " + " ".join(arguments)
    return Suite(shown, done.returncode, seconds, outcomes, failures, hypothesis_statistics(done.stdout))


def read_junit(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    outcomes, failures = {}, {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                failures[name] = (child.get("message") or child.text or "").strip().splitlines()[0][:300] \
                    if (child.get("message") or child.text) else child.tag
            elif child.tag == "skipped":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
        outcomes[name] = outcome
    return outcomes, failures


_TEST = re.compile(r"^\S+::(\w+):$")
_COUNTS = re.compile(r"(\d+) passing, (\d+) failing")
_STOPPED = re.compile(r"Stopped because (.+)$")


def hypothesis_statistics(stdout: str) -> dict[str, dict]:
    """`--hypothesis-show-statistics`: per property, examples passing and failing (all phases) and why it stopped."""
    found: dict[str, dict] = {}
    current = None
    for line in stdout.splitlines():
        if match := _TEST.match(line.strip()):
            current = found.setdefault(match.group(1), {"passing": 0, "failing": 0, "stopped": ""})
        elif current is not None and (match := _COUNTS.search(line)):
            current["passing"] += int(match.group(1))
            current["failing"] += int(match.group(2))
        elif current is not None and (match := _STOPPED.search(line.strip())):
            current["stopped"] = match.group(1)
    return found
