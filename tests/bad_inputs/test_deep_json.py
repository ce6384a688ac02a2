"""JSON nested deeper than the interpreter's recursion limit, wherever idamconf reads JSON from outside its own
process -- a saved plan, a plan job's file under --plans, comment's --environment list, the cache of validated
files -- is a broken document like any other: a diagnostic, a usage error or "damaged, ignored", never an
'unexpected RecursionError' (or a traceback, from the command line's own parsing)."""

from __future__ import annotations

import json

import pytest

from idamconf.config import known_files
from tests.cli.harness import idamconf

DEEP = "[" * 100_000 + "]" * 100_000


def _said(result) -> str:
    shown = result.out + result.err
    assert "Traceback" not in shown and "unexpected" not in shown and "idamconf-error-" not in shown, shown
    return shown


def test_a_saved_plan_nested_too_deeply_is_refused_as_damaged(project, tmp_path):
    (tmp_path / "plan.json").write_text(DEEP)
    result = idamconf("apply", str(tmp_path / "plan.json"), "-C", str(project), "--auto-approve")
    _said(result)
    assert result.code == 1
    assert f"{tmp_path / 'plan.json'}: error: cannot read saved plan: the JSON is nested too deeply" in result.err


def test_a_plan_jobs_file_nested_too_deeply_is_a_plan_that_failed(project, tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "nle.json").write_text(DEEP)
    result = idamconf("comment", "-C", str(project), "--plans", str(tmp_path / "plans"))
    _said(result)
    assert result.code == 0
    assert "**No plan for `nle`:** the plan failed." in result.out


def test_an_environment_list_nested_too_deeply_is_a_usage_error():
    result = idamconf("comment", "--environment", "[" * 100_000)
    _said(result)
    assert result.code == 1
    assert "is not a JSON list of names" in result.err and "[" * 81 not in result.err


@pytest.mark.parametrize("listed", ['["nle", 1]', '[["nle"]]', '["nle", null]', "../../etc/hostname",
                                    '["../x"]', "nle,Live"])
def test_only_environment_names_are_taken(project, tmp_path, listed):
    (tmp_path / "plans").mkdir()
    result = idamconf("comment", "-C", str(project), "--plans", str(tmp_path / "plans"), "--environment", listed)
    _said(result)
    assert result.code == 1
    assert "is not an environment name" in result.err


def test_environment_names_are_taken_as_given_by_a_matrix(project, tmp_path):
    (tmp_path / "plans").mkdir()
    result = idamconf("comment", "-C", str(project), "--plans", str(tmp_path / "plans"),
                      "--environment", '["nle", " live "]', "--environment", "devl,,nle")
    assert result.code == 0, result.err
    assert "### idamconf plan for `nle`, `live`, `devl` (eucs-idam)" in result.out


def test_a_cache_nested_too_deeply_is_ignored(project):
    (project / known_files.FILE).parent.mkdir(parents=True)
    (project / known_files.FILE).write_text(DEEP + "\n")
    assert known_files.load(project) is None


@pytest.mark.parametrize("depth", [900, 50])
def test_a_plan_jobs_file_deep_under_the_parsers_limit(project, tmp_path, depth):
    """Parsed, 900 levels failed the comment's rendering (a RecursionError); 50, under the bound, is rendered."""
    from tests.cli.harness import plan

    (tmp_path / "plans").mkdir()
    assert plan(project, "--out", str(tmp_path / "saved.json")).code == 0
    document = json.loads((tmp_path / "saved.json").read_text())
    document["plan"]["changes"][0]["after"]["displayName"] = json.loads("[" * depth + "]" * depth)
    (tmp_path / "plans" / "local.json").write_text(json.dumps(document))
    result = idamconf("comment", "-C", str(project), "--plans", str(tmp_path / "plans"))
    _said(result)
    assert result.code == 0
    assert ("**No plan for `local`:** the plan failed." in result.out) == (depth == 900), result.out
