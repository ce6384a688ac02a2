"""Redirect URIs as the schema takes them: https anywhere, http only on localhost -- the bare `http://localhost` a
desktop client listens on too (one of the organisation's definitions has it, and export wrote it; found by a review
in session 47) -- and never a host that merely starts with "localhost"."""

from __future__ import annotations

import pytest

from idamconf.config import schema, yamlfile


def problems(uri: str, tmp_path) -> list:
    path = tmp_path / "app.yaml"
    path.write_text(f"name: desk\ndisplayName: Desk\nowners: [alice.admin@contoso.com]\nweb:\n"
                    f"  redirectUris: [\"{uri}\"]\n")
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
