"""`idamconf emulator serve`: the emulator as a real HTTP server on loopback (uvicorn)."""

from __future__ import annotations

from pathlib import Path

from .app import create_app
from .faults import FaultSpec, Faults
from .store import Store


def serve(state: Path, host: str = "127.0.0.1", port: int = 8931, log_level: str = "warning",
          faults: FaultSpec | None = None) -> None:
    import uvicorn

    app = create_app(Store(state), Faults(faults) if faults is not None else None)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
