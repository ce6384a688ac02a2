from __future__ import annotations

import sys
from pathlib import Path

from ..emulator.faults import FaultSpecError, parse_spec
from ..emulator.seed import SeedError, seed_file
from ..emulator.store import Store


def run(host: str, port: int, state: Path, seed: Path | None, faults: str | None = None) -> int:
    from ..emulator.server import serve

    try:
        spec = parse_spec(faults) if faults else None
    except FaultSpecError as error:
        print(f"error: --faults: {error}", file=sys.stderr)
        return 1
    if seed is not None and not state.exists():
        try:
            seed_file(Store(state), seed)
        except SeedError as error:
            print(f"error: --seed: {error}", file=sys.stderr)
            return 1
    injected = f", faults {faults}" if spec else ""
    print(f"Graph emulator at http://{host}:{port}/v1.0 (state {state}{injected}). Ctrl+C stops it.", flush=True)
    serve(state, host, port, faults=spec)
    return 0
