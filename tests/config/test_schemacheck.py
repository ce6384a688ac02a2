"""The compiled schema check (idamconf/config/schemacheck.py) answers exactly what jsonschema answers.

validate trusts a True from it and skips jsonschema, so it must never call valid what jsonschema refuses; a False or
an undecided None only costs time (jsonschema then explains). Checked on every document the repository holds
(examples, the hostile-input corpus) and on random documents: mutations of an example application and free-form
values, with hypothesis (derandomized in the suite, like the loader's properties).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idamconf.config import schema, yamlfile
from idamconf.config.model import role_id
from idamconf.config.schemacheck import Unsupported, compile_schema

ROOT = Path(__file__).resolve().parents[2]
PROPERTY = settings(deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
WORDPRESS = yamlfile.load(ROOT / "examples" / "applications" / "wordpress.yaml", "wordpress.yaml")[0].value
PROJECT = yamlfile.load(ROOT / "examples" / "idamconf.yaml", "idamconf.yaml")[0].value


def jsonschema_valid(value, name: str) -> bool:
    return not any(True for _ in schema._validator(name).iter_errors(value))


def agrees(value, name: str) -> bool | None:
    decided = schema._decider(name)(value)
    if decided is not None:
        assert decided == jsonschema_valid(value, name), json.dumps(value, default=str)[:400]
    return decided


def corpus_documents():
    for path in sorted((ROOT / "tests" / "bad_inputs" / "cases").glob("*/*.yaml")) + sorted(
            (ROOT / "examples").rglob("*.yaml")):
        document, _ = yamlfile.load(path, str(path))
        if document is not None and document.value is not None:
            name = "project" if path.name == "idamconf.yaml" else "application"
            if path.parent.name == "emulator":
                continue
            yield pytest.param(document.value, name, id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize("value, name", list(corpus_documents()))
def test_agrees_with_jsonschema_on_every_document_in_the_repository(value, name):
    agrees(value, name)


def test_every_example_is_decided_without_jsonschema():
    for path in (ROOT / "examples" / "applications").glob("*.yaml"):
        assert schema._decider("application")(yaml.safe_load(path.read_text(encoding="utf-8"))) is True, path
    assert schema._decider("project")(PROJECT) is True


def test_a_schema_outside_the_compiled_subset_is_refused():
    for unsupported in ({"anyOf": [{"type": "string"}]}, {"type": "array", "items": [{"type": "string"}]},
                        {"type": "strnig"}, {"enum": [[1]]}, {"$ref": "other.json#/x"}):
        with pytest.raises(Unsupported):
            compile_schema(unsupported)


def test_type_and_equality_follow_jsonschema():
    decide = compile_schema({"type": "object", "properties": {
        "whole": {"type": "integer"}, "choice": {"enum": ["off", False]}, "list": {"uniqueItems": True}}})
    assert decide({"whole": 180}) is True
    assert decide({"whole": 180.0}) is False  # idamconf's integers are not decimals
    assert decide({"whole": True}) is False
    assert decide({"choice": False}) is True
    assert decide({"choice": 0}) is False  # jsonschema: false is not 0
    assert decide({"list": ["a", {"group": "a"}]}) is True
    assert decide({"list": [{"group": "a"}, {"group": "a"}]}) is False
    assert decide({"list": [1, 1.0]}) is None  # undecided here: jsonschema says


def test_role_ids_are_uuid5_and_never_change():
    """A role's id is uuid5 of "<application>/<value>" in idamconf's namespace, written out here: were it computed
    otherwise, every tenant's roles would be replaced (and their assignments lost) on the next apply."""
    import uuid

    namespace = uuid.UUID("3d4f6a52-8c1e-4b7a-9f2d-5e6c7b8a9d01")
    for application, value, expected in [
            ("wordpress", "Blog.Writer", "b8350117-3768-5a37-8b41-9c17740a5fd1"),
            ("app-00001", "Role.4", "e17d972d-f06e-5b21-b6bb-8ab96a22d5da"),
            ("wörd", "Ünïcode.☃", "daa9f676-ec9f-56b3-a908-783bc1e665f3"),
            ("x" * 64, "y" * 120, "e84cdafa-bc98-57a2-9561-c6a0860faedc")]:
        assert role_id(application, value) == expected == str(uuid.uuid5(namespace, f"{application}/{value}"))


# -------------------------------------------------------------------------------------------------- properties
KEYS = ["name", "displayName", "description", "owners", "signInAudience", "web", "spa", "redirectUris",
        "identifierUris", "tags", "environments", "appRoles", "value", "allowedMemberTypes", "enabled", "id",
        "accessPackage", "approvers", "accessReview", "reviewers", "frequencyDays", "durationDays", "unreviewed",
        "requestors", "group", "autoDenyDays", "assignmentDays", "catalog", "organisation", "department", "project",
        "environments", "defaultEnvironment", "defaults", "emulator", "graphUrl", "credential", "rules",
        "approvers.two", "tenantId"]
scalars = (st.none() | st.booleans() | st.integers(-5, 4000) | st.floats() | st.text(max_size=12)
           | st.sampled_from(KEYS) | st.sampled_from(
               ["alice.admin@contoso.com", "Blog.Writer", "Blog Writer", "local", "User", "Application", "allMembers",
                "remove", "keep", "error", "off", "api://x", "https://x.example/a", "http://x", "idamconf:x", "",
                "8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11", "AzureADMyOrg", "emulator", "http://127.0.0.1:1/v1.0", 1.0,
                180.0, 0, 14, 15, 365, 3651]))
values = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
                      max_leaves=20)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, prefix + (index,))


@st.composite
def mutated(draw, original):
    """The original document with a few values replaced, keys removed or added, list items duplicated."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(list(paths(document))))
        if not where:
            continue
        parent = document
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add", "duplicate"]))
        if action == "replace":
            parent[where[-1]] = draw(values)
        elif action == "remove":
            del parent[where[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[where[-1]]))
    return document


@PROPERTY
@given(mutated(WORDPRESS))
def test_agrees_with_jsonschema_on_mutated_applications(document):
    agrees(document, "application")


@PROPERTY
@given(mutated(PROJECT))
def test_agrees_with_jsonschema_on_mutated_projects(document):
    agrees(document, "project")


@PROPERTY
@given(values)
def test_agrees_with_jsonschema_on_any_value(value):
    agrees(value, "application")
    agrees(value, "project")
