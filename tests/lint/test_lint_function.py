"""`lint(configuration, documents, environment)` as other renderers (the plan's Markdown) call it: pure, typed."""

from __future__ import annotations

from idamconf.config.load import load_configuration, read_documents
from idamconf.lint import RULES, Finding, lint
from tests.cli.harness import edit

from .test_rules import PAYMENTS


def test_lint_returns_findings_with_rule_severity_and_position(project):
    edit(project / PAYMENTS, "  - dave.finance@contoso.com\n", "")
    configuration = load_configuration(project)
    findings = lint(configuration, read_documents(project))
    assert findings == [Finding("owners.two", "warning", "only 1 owner; the organisation requires at least two",
                                "add a second owner so that the application is never left without one",
                                str(project / PAYMENTS), 6, 3, "owners", "")]
    assert lint(configuration, read_documents(project), "live")[0].severity == "warning"
    assert {rule.id for rule in RULES} >= {finding.rule for finding in findings}


def test_every_rule_id_can_be_configured_in_idamconf_yaml():
    from idamconf.config.schema import schema

    configurable = schema("project")["$defs"]["environment"]["properties"]["rules"]["properties"]
    assert list(configurable) == [rule.id for rule in RULES]
    assert all(entry["enum"] == ["error", "warning", "off", False] for entry in configurable.values())
