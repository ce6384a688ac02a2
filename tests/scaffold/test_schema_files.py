"""`$schema` lines that resolve wherever the configuration lives: `idamconf schema --write DIR`, and the line a file
made by `new app` carries -- the schema its sibling files use when that resolves (or a URL), else the configuration's
own `schemas/`, written there when missing. (The line pointed at `../../schemas/`, which exists only in idamconf's
own repository: in a team's repository editors lost their help.)"""

from __future__ import annotations

import json

from tests.cli.harness import idamconf

from .test_new_app import FLAGS

REFERENCE = "# yaml-language-server: $schema="


def new_app(project):
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 0, result.err
    return result, (project / "applications" / "crm.yaml").read_text().splitlines()[0]


def test_schema_write_writes_every_schema(tmp_path):
    result = idamconf("schema", "--write", str(tmp_path / "schemas"))
    assert result.code == 0
    for name in ("application", "project", "plan"):
        written = tmp_path / "schemas" / f"{name}.schema.json"
        assert f"Wrote {written}" in result.out
        assert json.loads(written.read_text()) == json.loads(idamconf("schema", name).out)


def test_in_a_repository_of_its_own_the_schema_is_written_beside_the_configuration(project):
    """A team's repository: the examples' lines point at idamconf's own repository, which is not there."""
    result, line = new_app(project)
    assert line == f"{REFERENCE}../schemas/application.schema.json"
    written = project / "schemas" / "application.schema.json"
    assert json.loads(written.read_text()) == json.loads(idamconf("schema", "application").out)
    assert f"Wrote {written}" in result.out and "idamconf schema --write" in result.out
    assert idamconf("validate", "-C", str(project)).code == 0  # schemas/ is not read as configuration


def test_the_siblings_schema_is_used_when_it_resolves(project):
    shared = project.parent / "shared" / "application.schema.json"
    shared.parent.mkdir()
    shared.write_text(idamconf("schema", "application").out)
    blog = project / "applications" / "wordpress.yaml"
    lines = blog.read_text().splitlines()
    blog.write_text("\n".join([f"{REFERENCE}../../shared/application.schema.json", *lines[1:]]) + "\n")
    _, line = new_app(project)
    assert line == f"{REFERENCE}../../shared/application.schema.json"
    assert not (project / "schemas").exists()


def test_a_published_schema_is_used_as_it_is(project):
    url = "https://schemas.contoso.com/idamconf/0.1/application.schema.json"
    for path in (project / "applications").glob("*.yaml"):
        lines = path.read_text().splitlines()
        path.write_text("\n".join([f"{REFERENCE}{url}", *lines[1:]]) + "\n")
    _, line = new_app(project)
    assert line == f"{REFERENCE}{url}" and not (project / "schemas").exists()


def test_a_siblings_schema_line_below_a_heading_comment_is_found(project):
    """Editors read the line among a file's first lines (after a heading comment, say), and so does `new app`."""
    shared = project.parent / "shared" / "application.schema.json"
    shared.parent.mkdir()
    shared.write_text(idamconf("schema", "application").out)
    for path in (project / "applications").glob("*.yaml"):
        lines = path.read_text().splitlines()
        path.write_text("\n".join(["# Owned by the IDAM team", "---", f"{REFERENCE}../../shared/application.schema.json",
                                   *lines[1:]]) + "\n")
    _, line = new_app(project)
    assert line == f"{REFERENCE}../../shared/application.schema.json"
