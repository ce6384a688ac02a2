"""`idamconf emulator serve`: the emulator as a real HTTP server on loopback (uvicorn), over TLS with `--tls`."""

from __future__ import annotations

from pathlib import Path

from .app import create_app
from .faults import FaultSpec, Faults
from .store import Store
from .tls import TlsFiles


def serve(state: Path, host: str = "127.0.0.1", port: int = 8931, log_level: str = "warning",
          faults: FaultSpec | None = None, tls: TlsFiles | None = None, colour: bool = False) -> None:
    """`colour`: colour the log's levels (colour.use_colour decides; uvicorn's own default ignores NO_COLOR)."""
    import uvicorn

    app = create_app(Store(state), Faults(faults) if faults is not None else None)
    secured = {"ssl_certfile": str(tls.certificate), "ssl_keyfile": str(tls.private_key)} if tls else {}
    uvicorn.run(app, host=host, port=port, log_level=log_level, use_colors=colour, **secured)
