"""A long list read as several streams of displayName ranges (graph/streams.py): every object exactly once, whatever
order the names are compared in, and a plan identical to the one read one page after another."""

from __future__ import annotations

import functools
import json
import shutil
from urllib.parse import unquote

import pytest

from benchmarks.synthetic import write_configuration
from idamconf.emulator import Store
from idamconf.emulator.directory import _new_application
from idamconf.graph import client as graph_client
from idamconf.graph import streams
from idamconf.graph.client import query
from idamconf.graph.streams import Streams

from ..cli.harness import apply, plan
from ..emulator.conftest import Api, assert_error
from ..safety.wire import Scripted, run

NAMES = ["beta", "Alpha", "gamma", "delta", "Épsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]


def bounds_of(clause: str) -> tuple[str | None, str | None]:
    """(low, high) of one range clause, as written by Streams.ranges."""
    low = high = None
    for part in clause.split(" and "):
        _, op, literal = part.split(" ", 2)
        value = literal[1:-1].replace("''", "'")
        low, high = (value, high) if op == "ge" else (low, value)
    return low, high


@pytest.mark.parametrize("order", [str.casefold, str, lambda name: name[::-1]], ids=["folded", "binary", "odd"])
def test_ranges_cover_every_name_whatever_the_order(monkeypatch, order):
    """Graph's collation is not documented: whichever total order it uses, every name falls in some range."""
    monkeypatch.setattr(streams, "STREAM_PAGES", 0.02)  # 2 names a stream of pages of 100
    clauses = Streams.of(NAMES).ranges(100)
    assert len(clauses) == 6
    others = ["", "a", "ZZZ", "Alpha", "o'brien", "\uffff", "kappa2"]
    for name in NAMES + others:
        holding = [c for c in clauses if _within(name, *bounds_of(c), order)]
        assert holding, f"{name!r} falls in no range of {clauses}"


def _within(name: str, low: str | None, high: str | None, order) -> bool:
    return (low is None or order(name) >= order(low)) and (high is None or order(name) <= order(high))


def test_a_small_list_is_one_stream_and_quotes_are_doubled(monkeypatch):
    assert Streams.of(NAMES).ranges(100) == [None]
    monkeypatch.setattr(streams, "STREAM_PAGES", 0.01)
    clauses = Streams.of(["o'brien", "a", "b"]).ranges(100)
    assert clauses == ["displayName le 'b'", "displayName ge 'b' and displayName le 'o''brien'",
                       "displayName ge 'o''brien'"]


def test_an_application_at_a_bound_is_read_once(tmp_path, monkeypatch):
    """The bounds are names of the list, so each bound's application is in two ranges: it is read once."""
    monkeypatch.setattr(streams, "STREAM_PAGES", 0.01)  # a stream a name
    names = ["a", "b", "c", "d"]

    async def scenario(client):
        for name in names:
            await client.call("POST", "applications", {"displayName": name}, direct=True)
        clauses = Streams.of(names).ranges(100)
        assert len(clauses) == 4
        return await streams.read_streams(client, [query("applications", filter=clause, select="id,displayName")
                                                   for clause in clauses])

    assert sorted(app["displayName"] for app in run(tmp_path, monkeypatch, Scripted(), scenario)) == names


def test_emulator_ranges_as_graph_documents():
    """ge and le on displayName of applications (and service principals); refused on users, as Graph does."""
    store = Store()
    api = Api(store)
    with store.transaction():
        for name in ["apple", "Banana", "cherry", "date"]:
            _new_application(store, {"displayName": name})
    found = api.get("applications?$filter=displayName ge 'b' and displayName le 'CHERRY'&$select=displayName")
    assert found.status_code == 200, found.text
    assert sorted(app["displayName"] for app in found.json()["value"]) == ["Banana", "cherry"]
    assert api.get("servicePrincipals?$filter=displayName ge 'b'").status_code == 200
    assert_error(api.get("users?$filter=displayName ge 'b'"), 400, "Request_UnsupportedQuery")
    store.close()


def test_streamed_plan_is_the_sequential_plan(tmp_path, monkeypatch):
    """The same tenant and configuration, planned one page after another and as streams: the same plan -- with
    changes of every kind (created, changed, destroyed, drifted), and objects at the ranges' bounds."""
    root = tmp_path / "config"
    write_configuration(root, 24)
    assert apply(root).code == 0
    drift(root)
    asked = []
    real = graph_client.GraphClient.get_all

    @functools.wraps(real)
    async def recorded(self, path, keep=None):
        asked.append(unquote(path))
        return await real(self, path, keep)

    monkeypatch.setattr(graph_client.GraphClient, "get_all", recorded)
    monkeypatch.setattr(streams, "MOST_STREAMS", 1)
    sequential = plan(root, "--format", "json")
    assert not any("displayName ge" in path for path in asked)
    monkeypatch.setattr(streams, "MOST_STREAMS", 16)
    monkeypatch.setattr(streams, "STREAM_PAGES", 0.03)  # 3 applications a stream
    asked.clear()
    streamed = plan(root, "--format", "json")
    assert sum("displayName ge" in path and path.startswith("applications") for path in asked) >= 7
    assert sequential.code == streamed.code == 0, sequential.err + streamed.err
    assert json.loads(streamed.out) == json.loads(sequential.out)
    assert json.loads(streamed.out)["changes"], "the plan compares changes, not just an empty plan"


def drift(root) -> None:
    """Changes on both sides: a file edited, one removed, one added; an owner's line changed."""
    first = root / "applications" / "app-00001.yaml"
    first.write_text(first.read_text().replace("Synthetic application 1\n", "Synthetic application one\n"))
    (root / "applications" / "app-00005.yaml").unlink()
    shutil.copy(root / "applications" / "app-00007.yaml", root / "applications" / "app-00099.yaml")
    added = root / "applications" / "app-00099.yaml"
    added.write_text(added.read_text().replace("app-00007", "app-00099").replace("application 7", "application 99"))
