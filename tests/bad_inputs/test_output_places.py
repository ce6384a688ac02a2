"""A place a command cannot write what it was asked to (`plan --out`, `export --out`, `schema --write`, `saml
metadata --out`) is a diagnostic naming the option, the path and why, exit 1 -- before any work where the disk shows
it (a missing directory, a file on the way: nothing is read from the tenant, no state is made), and when the system
refuses the write itself (/proc here) -- never an 'unexpected FileNotFoundError' or 'NotADirectoryError'."""

from __future__ import annotations

import pytest

from tests.cli.harness import idamconf


def _refused(result, path, option: str, reason: str) -> None:
    shown = result.out + result.err
    assert "Traceback" not in shown and "unexpected" not in shown and "idamconf-error-" not in shown, shown
    assert result.code == 1, shown
    assert f"{path}: error: {option}: cannot write here: {reason}" in result.err, result.err
    assert "    fix: name a " in result.err, result.err


@pytest.mark.parametrize("command", [("plan", "--out"), ("saml", "metadata", "pui", "--out")], ids=" ".join)
def test_a_file_in_a_missing_directory_is_refused_before_any_work(project, tmp_path, command):
    out = tmp_path / "missing" / "plan.json"
    _refused(idamconf(*command, str(out), "-C", str(project)), out, "--out",
             f"its directory {tmp_path / 'missing'} does not exist")
    assert not (project / ".idamconf").exists() and not out.parent.exists()


@pytest.mark.parametrize("command", [("export", "--all", "--out"), ("schema", "--write")], ids=" ".join)
def test_a_directory_under_a_file_is_refused_before_any_work(project, tmp_path, command):
    (tmp_path / "a-file").write_text("kept")
    out = tmp_path / "a-file" / "inside" / "exported"
    configured = ["-C", str(project)] if command[0] == "export" else []
    _refused(idamconf(*command, str(out), *configured), out, command[-1], f"{tmp_path / 'a-file'} is not a directory")
    assert (tmp_path / "a-file").read_text() == "kept" and not (project / ".idamconf").exists()


def test_a_plan_file_directly_under_a_file_is_refused(project, tmp_path):
    (tmp_path / "a-file").write_text("kept")
    out = tmp_path / "a-file" / "plan.json"
    _refused(idamconf("plan", "--out", str(out), "-C", str(project)), out, "--out",
             f"{tmp_path / 'a-file'} is not a directory")


@pytest.mark.parametrize("command", [("plan", "--out", "/proc/idamconf-plan.json"),
                                     ("schema", "--write", "/proc/idamconf-schemas")], ids=" ".join)
def test_a_write_the_system_refuses_is_a_diagnostic(project, command):
    result = idamconf(*command, *(["-C", str(project)] if command[0] != "schema" else []))
    shown = result.out + result.err
    assert "unexpected" not in shown and result.code == 1, shown
    assert f"{command[-1]}: error: {command[-2]}: cannot write here: " in result.err, result.err


@pytest.mark.usefixtures("applied")
def test_a_file_export_would_write_over_that_holds_no_document_is_refused(project, tmp_path):
    """--out names any directory, whose files validate never read: one there that is not UTF-8, not YAML, or nested
    past what PyYAML reads was an unexpected failure, after the files before it were written. It is refused as
    not this application's file, as any other file of another application is."""
    out = tmp_path / "exported"
    out.mkdir()
    for content in (b"a: [\n", b"\xff\xfe", b"[" * 5000 + b"]" * 5000):
        (out / "wordpress.yaml").write_bytes(content)
        result = idamconf("export", "-C", str(project), "--all", "--out", str(out))
        assert "unexpected" not in result.err and result.code == 1, result.err
        assert f"error: {out / 'wordpress.yaml'} exists and is not this application's file in another environment" \
            in result.err
        assert (out / "wordpress.yaml").read_bytes() == content
