"""A large configuration's directory lists -- its applications with their owners, its service principals, what they
own and the assignments they grant -- are read while its application files are (graph/early.py), split into
`displayName` ranges whose bounds come from a page of the tenant's own names, never from the files; each list once,
and the plan is the one the plan makes reading them itself."""

from __future__ import annotations

import pytest

from benchmarks.tenant import SERVED
from idamconf.graph import streams

from ..cli.harness import plan
from ..safety.wire import Rule, graph_error
from .test_early_reads import large, served  # noqa: F401 - the fixtures: a large configuration, a served tenant

NEW_NAME = "Synthetic application 3, renamed"  # sorted among the others: a bound, were the files' names taken


@pytest.fixture
def split(monkeypatch):
    """The 6 applications' lists split as a few thousand applications' are (each range then one page)."""
    monkeypatch.setattr(streams, "STREAM_PAGES", 0.01)


def recorded(faults, monkeypatch) -> list[tuple[str, str, dict]]:
    """Every request the served emulator receives from here on: method, path and query."""
    asked, before = [], faults.before

    async def recording(request):
        asked.append((request.method, request.path, dict(request.query)))
        return await before(request)

    monkeypatch.setattr(faults, "before", recording)
    return asked


def lists_of(asked, path: str, expand: str) -> list[str]:
    return [query.get("$filter", "") for _, asked_path, query in asked
            if asked_path == path and query.get("$expand", "").startswith(expand)]


def renamed(root) -> None:
    path = root / "applications" / "app-00003.yaml"
    path.write_text(path.read_text().replace("displayName: Synthetic application 3",
                                             f"displayName: {NEW_NAME}"))


def test_the_directory_is_read_once_while_the_files_are_in_ranges_of_the_tenants_own_names(large, served, split,
                                                                                            monkeypatch):
    root, faults = served
    renamed(root)
    asked = recorded(faults, monkeypatch)
    result = plan(root, "-e", SERVED)
    assert result.code == 0, result.err
    assert NEW_NAME in result.out and "Plan: 0 to add, 3 to change, 0 to destroy." in result.out
    samples = [query for _, path, query in asked if path == "applications" and query.get("$select") == "displayName"]
    assert len(samples) == 1  # one page of the tenant's names
    for path, expand in (("applications", "owners"), ("servicePrincipals", "owners"),
                         ("servicePrincipals", "appRoleAssignedTo")):
        ranges = lists_of(asked, path, expand)
        assert len(ranges) > 2 and len(set(ranges)) == len(ranges), (path, expand, ranges)  # each range once
        assert all("displayName" in clause for clause in ranges)
    assert not any(NEW_NAME in str(query) for _, _, query in asked)  # the file's content reached no request

    monkeypatch.setattr("idamconf.graph.early.early_reads", lambda *args, **kwargs: None)
    assert plan(root, "-e", SERVED).out == result.out  # the plan that reads them itself, by the files' names


def test_when_the_early_reads_fail_the_plan_reads_the_directory_itself(large, served, split, monkeypatch):
    root, faults = served
    renamed(root)
    faults.rules.append(Rule(lambda request: request.query.get("$select") == "displayName",
                             graph_error(403, "Authorization_RequestDenied")))
    asked = recorded(faults, monkeypatch)
    result = plan(root, "-e", SERVED)
    assert result.code == 0, result.err
    assert NEW_NAME in result.out and "Plan: 0 to add, 3 to change, 0 to destroy." in result.out
    assert [query.get("$select") for _, path, query in asked if path == "applications"].count("displayName") == 1
    ranges = lists_of(asked, "applications", "owners")
    assert len(ranges) == len(set(ranges)) > 2  # read once, by the plan itself, split by the files' names:
    assert any(NEW_NAME in clause for clause in ranges)  # (valid by then) -- as the early reads never are
