"""Redirect URIs as the schema takes them: https anywhere, http only on localhost -- the bare `http://localhost` a
desktop client listens on too (one of the organisation's definitions has it, and export wrote it; found by a review
in session 47) -- and never a host that merely starts with "localhost"."""

from __future__ import annotations

import pytest

from idamconf.config import schema, yamlfile


def problems(uri: str, tmp_path, key: str = "redirectUris") -> list:
    path = tmp_path / "app.yaml"
    value = f"[\"{uri}\"]" if key == "redirectUris" else f"\"{uri}\""
    path.write_text(f"name: desk\ndisplayName: Desk\nowners: [alice.admin@contoso.com]\nweb:\n  {key}: {value}\n")
    document, found = yamlfile.load(path, "app.yaml")
    return found + schema.validate(document, "application")


@pytest.mark.parametrize("uri", ["http://localhost", "http://localhost:5000", "http://localhost/signin",
                                 "http://localhost:8400/auth?x=1", "https://app.contoso.com/signin"])
def test_taken(uri, tmp_path):
    assert problems(uri, tmp_path) == []


@pytest.mark.parametrize("uri", ["http://localhost.evil.example/x", "http://localhostevil.example",
                                 "http://app.contoso.com/", "https://", "http://localhost/a b", "https://x/(y)"])
def test_refused(uri, tmp_path):
    [problem] = problems(uri, tmp_path)
    assert "is not a valid value here" in problem.summary


@pytest.mark.parametrize("key", ["homePageUrl", "logoutUrl"])
def test_the_home_page_and_logout_urls_take_localhost_alike(key, tmp_path):
    assert problems("http://localhost", tmp_path, key) == [] and problems("http://localhost:80/out", tmp_path, key) == []
    [problem] = problems("http://localhost.evil.example/out", tmp_path, key)
    assert "is not a valid value here" in problem.summary


@pytest.mark.parametrize("pattern, text, matches", [
    (r"^https://[^\s]+$", "https://a.example/\ufeff", False),  # U+FEFF is white space to ECMA-262
    (r"^\S+$", "ab\ufeff", False),
    (r"^\S+$", "a\x1cb", True),  # U+001C is not (Python's \s says it is)
    (r"^(?=.*\S)", "\rx", False),  # ECMA's . matches no line terminator
    (r"^[a-z]+$", "fr\n", False),  # $ ends the text
    (r"^a[$]b$", "a$b", True),
])
def test_a_pattern_means_what_json_schema_says(pattern, text, matches):
    """Schema patterns are ECMA-262 regular expressions, as editors using the schema read them; validate reads them
    the same (config/schemacheck.ecma_pattern; found by reviews in session 47)."""
    from idamconf.config.schemacheck import ecma_pattern

    assert bool(ecma_pattern(pattern).search(text)) is matches


def test_every_pattern_of_the_schemas_reads_as_json_schema_says():
    import json
    from pathlib import Path

    from idamconf.config.schemacheck import ecma_pattern

    def patterns(value):
        if isinstance(value, dict):
            yield from (item for key, item in value.items() if key == "pattern" and isinstance(item, str))
            for item in value.values():
                yield from patterns(item)
        elif isinstance(value, list):
            for item in value:
                yield from patterns(item)

    found = [p for path in Path("idamconf/schemas").glob("*.schema.json")
             for p in patterns(json.loads(path.read_text()))]
    assert len(found) > 20
    for pattern in found:
        ecma_pattern(pattern)  # none uses what has no translation (\S in a class)


def test_the_application_name_pattern_is_the_schemas():
    """config/model.APPLICATION_NAME (export's names, plan/left_behind.py's) is the schema's `name` pattern."""
    import json
    from pathlib import Path

    from idamconf.config.model import APPLICATION_NAME

    written = json.loads(Path("idamconf/schemas/application.schema.json").read_text())["properties"]["name"]["pattern"]
    assert written == f"^{APPLICATION_NAME.pattern.replace('(?:', '(')}$"


def test_the_environment_name_pattern_is_the_schemas():
    """config/model.ENVIRONMENT_NAME (what `comment --environment` takes, overrides' keys) is idamconf.yaml's
    environments' key pattern, and the application schema's overrides' (both files as written)."""
    import json
    from pathlib import Path

    from idamconf.config.model import ENVIRONMENT_NAME

    project = json.loads(Path("idamconf/schemas/project.schema.json").read_text())
    application = json.loads(Path("idamconf/schemas/application.schema.json").read_text())
    assert project["properties"]["environments"]["propertyNames"]["pattern"] == f"^{ENVIRONMENT_NAME.pattern}$"
    assert application["properties"]["overrides"]["propertyNames"]["pattern"] == f"^{ENVIRONMENT_NAME.pattern}$"
