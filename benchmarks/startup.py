"""Start-up, as a user meets it: new processes, best of 5 (this machine's timings vary by tens of percent).

`idamconf --help`; `validate` of examples/; `validate` of a synthetic configuration of 1,000 application files.
"""

from __future__ import annotations

from .measure import IDAMCONF, ROOT, best_of
from .tenant import generated

VALIDATE_COUNT = 1_000


def measure_startup(runs: int = 5, log=print) -> dict:
    validate_root = generated(f"validate-{VALIDATE_COUNT}", VALIDATE_COUNT)
    log("  idamconf --help, validate examples/, validate 1,000 files (best of 5 each) ...")
    return {
        "help": best_of([IDAMCONF, "--help"], runs),
        "validate_examples": best_of([IDAMCONF, "validate", "-C", str(ROOT / "examples")], runs),
        "validate_synthetic": best_of([IDAMCONF, "validate", "-C", str(validate_root)], runs),
        "validate_count": VALIDATE_COUNT,
    }
