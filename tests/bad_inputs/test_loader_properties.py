"""Property: whatever text an application file holds, the loader never raises; every problem is a Diagnostic.

Valid application files (tests/bad_inputs/documents.py: every key the schema knows, values in range), as often as
broken ones of three kinds: arbitrary YAML-ish text, well-formed documents built from random values with yaml.safe_dump
(some shaped like an application, to get past the first schema checks), and mutations of
examples/applications/wordpress.yaml (to reach the semantic checks). Each is read twice: by yamlfile.parse and
schema.validate directly, and by load.read on a whole configuration directory. Derandomized in the suite, so CI
sees the same examples every run (the `suite` profile of conftest.py); `--hypothesis-profile=default` makes it a
real random search with hypothesis's default budget, as `make reliability` runs it.

Explicit tags included: a core tag on text its constructor cannot read (`!!int many`, `!!bool maybe`, `!!seq x`)
is a diagnostic like any other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from idamconf.config import load, schema, yamlfile
from idamconf.diagnostics import Diagnostic, errors

from .documents import document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORDPRESS = (EXAMPLES / "applications" / "wordpress.yaml").read_text(encoding="utf-8")
PROPERTY = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = ["name", "displayName", "description", "owners", "signInAudience", "web", "spa", "redirectUris",
        "identifierUris", "tags", "environments", "appRoles", "value", "allowedMemberTypes", "enabled", "id",
        "accessPackage", "approvers", "accessReview", "reviewers", "frequencyDays", "durationDays", "unreviewed",
        "requestors", "group", "autoDenyDays", "assignmentDays", "catalog", "organisation", "department", "<<"]
YAML_CHARS = list(":-[]{}#&*!|>'\"%@`,?~ \n\t\r.0123456789eE+_") + ["\ufeff", "\x00", "\x85", "\u2028", "é", "---",
                                                                    "...", "!custom ", "!python/object ", "&a ", "*a"]

# An explicit tag (shorthand `!!int`, verbatim `!<tag:…>`, or any `%TAG` directive): see the known bug above.



yamlish = st.lists(st.sampled_from(YAML_CHARS) | st.sampled_from(KEYS) | st.text(max_size=5), max_size=60).map("".join)
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(KEYS)
           | st.sampled_from(["alice.admin@contoso.com", "Blog.Writer", "local", "User", "allMembers", "remove"]))
values = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5),
                      max_leaves=25)
VALUE_TEXT = (st.integers(-10, 4000).map(str) | st.sampled_from(
    ["0", "31", "100", "365", "366", "14", "7.0", "~", "''", "[]", "{}", "yes", "Blog.Writer", "Blog Writer", "devl",
     "production", "alice.admin@contoso.com", "[alice.admin@contoso.com]", "allMembers", "[{group: x}]",
     "8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11", "keep", "User", "[Application]", "https://x.example/", "wordpress"])
              | st.text(alphabet="abcXYZ .-_@:", max_size=12))
application_like = st.fixed_dictionaries(
    {"name": st.sampled_from(["wordpress", "Bad_Name", ""]) | scalars,
     "displayName": scalars, "owners": values},
    optional={key: values for key in KEYS if key not in {"name", "displayName", "owners"}})
dumped = (values | application_like).map(lambda value: yaml.safe_dump(value, allow_unicode=True))


@st.composite
def mutated_wordpress(draw, operations=("delete", "duplicate", "swap", "indent", "dedent", "insert", "replace",
                                         "truncate", "value")) -> str:
    lines = WORDPRESS.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(operations))
        if operation == "delete" and len(lines) > 1:
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "indent":
            lines[index] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[index]
        elif operation == "dedent":
            lines[index] = lines[index].lstrip(" ")
        elif operation == "insert":
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + draw(yamlish) + lines[index][at:]
        elif operation == "replace":
            key, _, _ = lines[index].partition(":")
            lines[index] = f"{key}: {draw(st.sampled_from(YAML_CHARS) | st.text(max_size=10))}\n"
        elif operation == "value":  # keeps the structure: reaches the schema's value checks and the semantics
            key, colon, _ = lines[index].partition(": ")
            if colon:
                lines[index] = f"{key}: {draw(VALUE_TEXT)}\n"
        else:
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
    return "".join(lines)


# Valid documents weigh as much as all the broken kinds together: a property of the loader must hold of both.
texts = st.one_of(document().map(lambda found: found[0]),
                  st.one_of(yamlish, st.text(max_size=200), dumped, mutated_wordpress(), mutated_wordpress(("value",))))


def assert_only_diagnostics(problems) -> None:
    assert isinstance(problems, list)
    assert all(isinstance(problem, Diagnostic) for problem in problems), problems


@PROPERTY
@given(texts)
def test_parse_and_schema_never_raise(text):
    document, problems = yamlfile.parse(text, "applications/wordpress.yaml")
    assert_only_diagnostics(problems)
    if document is not None and document.value is not None:
        assert_only_diagnostics(schema.validate(document, "application"))


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """One copy of examples/ for every example (a function-scoped fixture would not be reset between them)."""
    target = tmp_path_factory.mktemp("properties") / "config"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".idamconf", "ci"))
    return target


@PROPERTY
@given(text=texts)
def test_reading_a_configuration_never_raises(root, text):
    (root / "applications" / "wordpress.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    configuration, problems = load.read(root)
    assert_only_diagnostics(problems)
    assert configuration is not None or problems
    event("read: a configuration" if configuration is not None else "read: refused")
    assert not (root / ".idamconf").exists()


@PROPERTY
@given(found=document())
def test_the_loader_accepts_exactly_the_valid_documents(root, found):
    """Valid documents are read into the application they describe, with no error; each broken one is refused
    with an error at a line of that file -- and never a configuration."""
    text, valid = found
    (root / "applications" / "wordpress.yaml").write_text(text, encoding="utf-8")
    configuration, problems = load.read(root)
    assert_only_diagnostics(problems)
    event("valid" if valid else "broken")
    if valid:
        assert errors(problems) == [], [problem.render() for problem in problems]
        written = yaml.safe_load(text)
        [app] = [app for app in configuration.applications if app.name == written["name"]]
        assert (app.display_name, list(app.owners)) == (written["displayName"], written["owners"])
        assert [role.value for role in app.app_roles] == [role["value"] for role in written.get("appRoles", [])]
        packages = [role for role in written.get("appRoles", []) if "accessPackage" in role]
        assert sum(role.access_package is not None for role in app.app_roles) == len(packages)
    else:
        assert errors(problems), text
        assert any(problem.file.endswith("wordpress.yaml") and problem.line for problem in errors(problems)), \
            [problem.render() for problem in problems]
        assert configuration is None or errors(problems)


@PROPERTY
@given(raw=st.binary(max_size=300) | mutated_wordpress().map(lambda text: text.encode("utf-16")))
def test_arbitrary_bytes_never_raise(root, raw):
    (root / "applications" / "wordpress.yaml").write_bytes(raw)
    configuration, problems = load.read(root)
    assert_only_diagnostics(problems)


@PROPERTY
@given(tag=st.sampled_from(["!!int", "!!float", "!!bool", "!!seq", "!!map", "!<tag:yaml.org,2002:int>"]),
       text=st.text(alphabet="abcxyz-", max_size=8))
def test_explicit_core_tags_never_raise(tag, text):
    document, problems = yamlfile.parse(f"requestors: {tag} '{text}'\n", "applications/wordpress.yaml")
    assert_only_diagnostics(problems)
    if document is not None and document.value is not None:
        assert_only_diagnostics(schema.validate(document, "application"))
