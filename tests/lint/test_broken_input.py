"""Whatever is in the files, lint prints diagnostics, never a traceback, and exits 1."""

from __future__ import annotations

import pytest

from .test_rules import BLOG, lint

BROKEN = {
    "empty": "",
    "syntax": "name: [unclosed\n",
    "tabs": "name: wordpress\n\tdisplayName: x\n",
    "a list": "- a\n- b\n",
    "a scalar": "hello\n",
    "two documents": "name: a\n---\nname: b\n",
    "wrong types": "name: 5\ndisplayName: [x]\nowners: {a: b}\nappRoles: 5\nenvironments: local\n",
    "roles of the wrong shape": "name: x\ndisplayName: X\nowners: [a@b.c]\nappRoles: [5, {accessPackage: 3}, "
                                "{displayName: A, value: A, accessPackage: {name: 7, approvers: x}}]\n",
    "a complex key": "? [a, b]\n: c\n",
    "a tag": "name: !!python/object:os.system x\n",
    "secrets of every shape": "clientSecret: {a: [1, 2]}\npassword: 12345\napiKey: [x1y2z3]\nname: x\n",
}


@pytest.mark.parametrize("name", BROKEN)
@pytest.mark.parametrize("where", ["application", "project"])
def test_a_broken_file_gives_diagnostics_and_exit_1(project, name, where):
    path = project / (BLOG if where == "application" else "idamconf.yaml")
    path.write_text(BROKEN[name])
    for output in ("human", "sarif"):
        result = lint(project, "--format", output)
        assert result.code == 1, result.out + result.err
        assert "unexpected" not in result.err and "Traceback" not in result.out + result.err
        assert "error" in result.out and result.err == ""  # validate's problems among the findings, in each format


def test_undecodable_bytes_and_a_missing_project_file(project):
    (project / BLOG).write_bytes(b"name: \xff\xfe\n")
    assert "not valid UTF-8" in lint(project).out
    (project / "idamconf.yaml").unlink()
    result = lint(project)
    assert result.code == 1 and "unexpected" not in result.err
    assert result.out.startswith(f"{project / 'idamconf.yaml'}: error: no idamconf.yaml in ")  # no :0:0


SECRET_FIX = ("    fix: remove the value and rotate the secret (it is in the repository's history); let the pipeline pass it "
              "from the vault, e.g. clientSecretEnv: IDAMCONF_CLIENT_SECRET names the variable\n")


def test_with_the_project_file_broken_a_secret_is_still_an_error_and_never_repeated(project):
    """No environment can grade it (idamconf.yaml is unreadable): the rule's own severity, error, and no note."""
    (project / "idamconf.yaml").write_text(BROKEN["syntax"])
    path = project / BLOG
    path.write_text(path.read_text() + "password: Hunter2-canary-x\n")
    line = len(path.read_text().splitlines())
    result = lint(project)
    assert result.code == 1
    assert (f"{path}:{line}:1: error: [security.secret-in-file] 'password' holds a secret in the file; secrets live "
            f"only in the vault\n{SECRET_FIX}") in result.out and result.out.count("[security.secret-in-file]") == 1
    assert result.out.endswith("\nlint: 3 error(s), 0 warning(s) (2 of them validate's); of the 15 rules only "
                               "security.token-lifetime and security.secret-in-file ran, because the configuration "
                               "has errors (fix those first).\n")  # the broken YAML's two
    assert "Hunter2-canary-x" not in result.out + result.err
