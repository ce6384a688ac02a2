"""idamconf's command line, unchanged, that also writes what its embedded emulator counted.

    python -m benchmarks.counted STATS_FILE idamconf-arguments...

The embedded emulator lives and dies with the idamconf process, and with it the counters of what it served and
which faults it injected (`app.state.emulator.stats`). This keeps a reference to each emulator the process opens
and writes their counters to STATS_FILE (a JSON list, one per emulator) when the process exits.
"""

from __future__ import annotations

import atexit
import json
import sys
from pathlib import Path


def main(stats_file: str, arguments: list[str]) -> None:
    from idamconf.cli import main as idamconf
    from idamconf.emulator import embedded

    opened = []
    real_open = embedded.open_app

    def open_app(*args, **kwargs):
        app = real_open(*args, **kwargs)
        opened.append(app)
        return app

    def write() -> None:
        counters = [app.state.emulator.stats.as_json() for app in opened if hasattr(app.state.emulator, "stats")]
        Path(stats_file).write_text(json.dumps(counters), encoding="utf-8")

    embedded.open_app = open_app
    atexit.register(write)
    sys.argv = ["idamconf", *arguments]
    idamconf()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
