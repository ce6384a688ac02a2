"""A local, Graph-compatible emulator: the default target of every run and every test.

The same ASGI application runs in-process under the SDK (as an httpx transport) or served by uvicorn.
"""

from .app import create_app
from .store import Store

__all__ = ["create_app", "Store"]
