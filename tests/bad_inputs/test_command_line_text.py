"""A command-line value that is not UTF-8 text -- a user principal name, an application, a scope -- arrives as a
string holding a lone surrogate (how Python keeps an undecodable byte), and was an 'unexpected UnicodeEncodeError'
wherever it was encoded (the emulator's SQLite, a token). Every such value is now said at once, escaped, exit 1,
before the command runs; a path, which may be any bytes on Linux, is left alone."""

from __future__ import annotations

import os

import pytest

from tests.cli.harness import apply, idamconf, plan

NOT_UTF8 = os.fsdecode(b"x\xff")


@pytest.mark.usefixtures("applied")
@pytest.mark.parametrize("given", [("--user", NOT_UTF8, "--app", "expenses"),
                                   ("--user", "frank.audit@contoso.com", "--app", NOT_UTF8)], ids=["user", "app"])
def test_an_emulator_token_for_a_value_that_is_not_text_is_refused(project, given):
    result = idamconf("emulator", "token", "-C", str(project), *given)
    shown = result.out + result.err
    assert "unexpected" not in shown and "Traceback" not in shown, shown
    assert result.code == 1 and result.out == ""
    assert "error: the command-line value 'x\\xff' is not UTF-8 text\n    fix: give names" in result.err


def test_every_value_that_is_not_text_is_said_at_once(project):
    result = idamconf("new", "app", "crm", "-C", str(project), "--owner", NOT_UTF8, "--display-name",
                      os.fsdecode(b"CRM\xfe"), "--no-input")
    assert result.code == 1
    assert result.err.count("is not UTF-8 text") == 2 and "'CRM\\xfe'" in result.err, result.err
    assert not (project / "applications" / "crm.yaml").exists()


def test_a_path_that_is_not_utf8_is_a_path(project, tmp_path):
    out = tmp_path / os.fsdecode(b"plan-\xff.json")
    result = plan(project, "--out", str(out))
    assert result.code == 0, result.err
    assert (tmp_path / os.fsdecode(b"plan-\xff.json")).is_file()


def test_an_app_id_that_is_not_a_guid_is_refused_before_the_tenant_is_read(project):
    """It went into a request's path as written -- applications(appId='x') or true or ('') -- and Graph's refusal
    (or, for one that is merely wrong, "no application with appId ...") was the answer, without a fix."""
    result = idamconf("export", "-C", str(project), "--app-id", "x') or true or ('", "--app-id",
                      "7a1b2c3d-0000-4000-8000-00000000a001\n")
    assert result.code == 1, result.err
    assert "error: --app-id x') or true or (': not an application (client) id\n    fix: give the application's " \
           "appId, a GUID" in result.err
    assert result.err.count("not an application (client) id") == 2
    assert not (project / ".idamconf").exists()
