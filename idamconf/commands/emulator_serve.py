from __future__ import annotations

from pathlib import Path

from ..emulator.seed import seed_file
from ..emulator.store import Store


def run(host: str, port: int, state: Path, seed: Path | None) -> int:
    from ..emulator.server import serve

    if seed is not None and not state.exists():
        seed_file(Store(state), seed)
    print(f"Graph emulator at http://{host}:{port}/v1.0 (state {state}). Ctrl+C stops it.", flush=True)
    serve(state, host, port)
    return 0
