"""What making the network client does to Python's imports: a module httpcore asks for at every request, and that is
not installed, is searched for once, not at every request (graph/connect._absent_once)."""

from __future__ import annotations

import importlib.util
import sys

import httpcore._synchronization as synchronization
import httpx

from idamconf.graph import connect


class Searches:
    """A finder first in sys.meta_path that finds nothing and notes each search for sniffio."""

    def __init__(self):
        self.made = 0

    def find_spec(self, name, path=None, target=None):
        self.made += name == "sniffio"
        return None


def _without_sniffio(monkeypatch) -> Searches:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: None if name == "sniffio" else real(name, *rest))
    monkeypatch.setitem(sys.modules, "sniffio", None)
    del sys.modules["sniffio"]  # absent now; whatever is there at the end is removed again
    searches = Searches()
    monkeypatch.setattr(sys, "meta_path", [searches, *sys.meta_path])
    return searches


def test_a_missing_sniffio_is_not_searched_for_at_each_of_httpcores_locks(monkeypatch):
    searches = _without_sniffio(monkeypatch)
    assert synchronization.current_async_library() == "asyncio" and searches.made == 1  # as it was before
    connect._network_client("http://127.0.0.1:9/v1.0", httpx.Timeout(1.0))
    for _ in range(5):  # what httpcore does at each lock, event and shield of a request
        assert synchronization.current_async_library() == "asyncio"
    assert searches.made == 1


def test_an_installed_module_is_left_alone(monkeypatch):
    marker = object()
    monkeypatch.setitem(sys.modules, "sniffio", marker)
    connect._network_client("http://127.0.0.1:9/v1.0", httpx.Timeout(1.0))
    assert sys.modules["sniffio"] is marker
