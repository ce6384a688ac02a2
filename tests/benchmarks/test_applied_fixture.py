"""tests/conftest.py's `applied` copies one template of examples/ applied, but under mutmut, where each test applies
for itself: mutmut imported in a worker of the suite (benchmarks/mutate.py reads its results through mutmut.stats,
as tests/benchmarks/test_mutate_kept.py does) is no mutmut run."""

from __future__ import annotations

import pytest

from tests import conftest
from tests.cli.harness import tenant


@pytest.fixture
def mutmut_imported(monkeypatch):
    """mutmut imported in this worker, as test_mutate_kept.py's tests leave it; no mutant under test."""
    import mutmut.stats  # noqa: F401

    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)


def application_ids(project) -> list[str]:
    return sorted(application["id"] for application in tenant(project)["objects"]["applications"])


def test_applied_is_the_template_copied_though_mutmut_was_imported(mutmut_imported, applied):
    assert conftest._APPLIED_TEMPLATE, "`applied` applied for itself: the template was never made"
    assert application_ids(applied) == application_ids(conftest._APPLIED_TEMPLATE[0])


def test_a_mutmut_run_names_its_mutant_under_test(monkeypatch):
    import mutmut.stats  # noqa: F401

    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    assert not conftest.under_mutmut()
    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")  # mutmut's own process, before its first test
    assert conftest.under_mutmut()
