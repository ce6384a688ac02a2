"""scaffold.py alone: answers in, YAML text out, loading back to exactly the answers."""

from __future__ import annotations

import pytest
import yaml

from idamconf.config import schema, yamlfile
from idamconf.scaffold import (Answers, Review, Role, application_yaml, document, name_problem, parse_role,
                               review_days_problem, role_value_problem, upn_problem)

DEFAULTS = {"organisation": "eucs", "department": "idam"}
AWKWARD = ["yes", "no", "null", "~", "123", "1e3", "a: b", "# not a comment", "- item", "@at", "it's", 'say "hi"',
           "tab\there", "Ünïcödé", "x" * 300, "{braces}", "[list]", "*star", "&anchor", "!tag", "%percent", "0x1F"]


def answers(text: str = "Customer Relations", **changes) -> Answers:
    role = Role(text[:100], "CRM.Sales", text, ("a.b@contoso.com", "c.d@contoso.com"),
                Review(("e.f@contoso.com", "g.h@contoso.com"), 90))
    fields = dict(name="crm", display_name=text[:120], owners=("a.b@contoso.com",), description=text,
                  organisation="eucs", department="idam", roles=(role,))
    return Answers(**{**fields, **changes})


@pytest.mark.parametrize("text", AWKWARD)
def test_any_text_loads_back_and_is_valid(text):
    written = application_yaml(answers(text), DEFAULTS)
    assert yaml.safe_load(written) == document(answers(text), DEFAULTS)
    parsed, problems = yamlfile.parse(written, "crm.yaml")
    assert problems == [] and schema.validate(parsed, "application") == []


def test_comments_name_the_package_and_the_schedule():
    written = application_yaml(answers(), DEFAULTS)
    assert written.splitlines()[0] == "# yaml-language-server: $schema=../../schemas/application.schema.json"
    assert "# named eucs-idam-crm-customer-relations" in written
    assert "frequencyDays: 90         # every 3 months" in written


def test_codes_are_written_only_when_they_differ_from_the_project():
    assert "organisation" not in document(answers(), DEFAULTS)
    other = application_yaml(answers(department="sales"), DEFAULTS)
    assert "department: sales" in other and "# named eucs-sales-crm-customer-relations" in other


def test_roles_without_package_or_review():
    plain = answers(roles=(Role("Reader", "CRM.Read"), Role("Writer", "CRM.Write", "", ("a.b@contoso.com",))))
    assert document(plain, DEFAULTS)["appRoles"] == [
        {"displayName": "Reader", "value": "CRM.Read"},
        {"displayName": "Writer", "value": "CRM.Write", "accessPackage": {"approvers": ["a.b@contoso.com"]}}]


def test_role_flags():
    assert parse_role("Sales rep | CRM.Sales | Sells | more") == Role("Sales rep", "CRM.Sales", "Sells | more")
    assert parse_role("Reader|CRM.Read") == Role("Reader", "CRM.Read")
    for missing in ("Reader", " | CRM.Read", "Reader |  | Reads"):  # a display name and a value, both needed
        with pytest.raises(ValueError):
            parse_role(missing)


def test_an_answer_ending_in_a_line_break_is_refused():
    """The schema's patterns end in `$`, which `re.match` lets match before a final line break."""
    assert name_problem("crm\n") and upn_problem("a.b@contoso.com\n") and role_value_problem("CRM.Read\n")
    assert not name_problem("crm") and not upn_problem("a.b@contoso.com") and not role_value_problem("CRM.Read")


@pytest.mark.parametrize("days", [30, 35, 90, 180, 364, 365])
def test_representable_review_days(days):
    assert review_days_problem(days) is None
