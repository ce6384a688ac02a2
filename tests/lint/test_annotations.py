"""`validate` and `lint --format github`: workflow-command annotations at each problem's file, line and column,
relative to the repository's root (where the runner checked it out); and validate's problems in SARIF, on their own
or among lint's results."""

from __future__ import annotations

import json
import subprocess

from idamconf.lint import RULES
from tests.cli.harness import EXAMPLE_APPLICATIONS, edit, idamconf

from .test_rules import BLOG, HR, MANAGER, line_of
from .test_sarif import sarif_validator


def in_a_repository(project) -> str:
    """The configuration as a directory of a git repository, as in a configuration repository: its files are
    annotated by their path from the repository's root."""
    subprocess.run(["git", "init", "-q", str(project.parent)], check=True)
    return f"{project.name}/"


def annotations(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


def test_lint_findings_are_annotations_at_their_lines(project):
    prefix = in_a_repository(project)
    edit(project / HR, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""))
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: AzureADMultipleOrgs")
    result = idamconf("lint", "-C", str(project), "--format", "github")
    assert result.code == 1 and result.err == ""
    hr_line = line_of(project / HR, "approvers: [carol.hr@contoso.com]")
    blog_line = line_of(project / BLOG, "signInAudience")
    assert annotations(result.out) == [
        f"::error file={prefix}{HR},line={hr_line},col=18,title=idamconf lint%3A approvers.two::appRoles[1]."
        "accessPackage.approvers: only 1 approver; the organisation requires at least two (error in live; warning in "
        "devl, local, nle)%0Afix: add a second approver so that nobody approves alone",
        f"::warning file={prefix}{BLOG},line={blog_line},col=17,title=idamconf lint%3A security.multi-tenant::"
        "signInAudience: signInAudience AzureADMultipleOrgs lets accounts outside the organisation sign in%0Afix: use "
        "AzureADMyOrg (the default) unless the security team has approved a multi-tenant application"]
    assert result.out.splitlines()[-1] == f"lint: 1 error(s), 1 warning(s) from {len(RULES)} rules."


def test_validate_errors_are_annotations_and_a_clean_configuration_has_none(project):
    clean = idamconf("validate", "-C", str(project), "--format", "github")
    assert clean.code == 0 and annotations(clean.out) == []
    assert clean.out == f"Configuration is valid: project 'eucs-idam', {len(EXAMPLE_APPLICATIONS)} application(s), " \
                        "4 environment(s).\n"
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: Everyone")
    (project / "applications" / "extra.yaml").write_text("name: extra\nowners: []\n", encoding="utf-8")
    result = idamconf("validate", "-C", str(project), "--format", "github")
    assert result.code == 1
    found = annotations(result.out)
    assert any(line.startswith(f"::error file={BLOG},line={line_of(project / BLOG, 'signInAudience')},col=17,title="
                               "idamconf validate%3A configuration::signInAudience: 'Everyone' is not one of "
                               "AzureADMyOrg, AzureADMultipleOrgs") for line in found)
    assert ("::error file=applications/extra.yaml,line=1,col=1,title=idamconf validate%3A configuration::missing "
            "required key 'displayName'%0Afix: add displayName: \"WordPress Blog\"") in found  # of the file: no path
    assert result.out.splitlines()[-1].startswith("validate: ") and "error(s)" in result.out.splitlines()[-1]


def test_validate_errors_in_sarif(project):
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: Everyone")
    result = idamconf("validate", "-C", str(project), "--format", "sarif")
    assert result.code == 1
    log = json.loads(result.out)
    assert not list(sarif_validator().iter_errors(log))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[-1]["id"] == "configuration" and rules[-1]["defaultConfiguration"] == {"level": "error"}
    [found] = log["runs"][0]["results"]
    assert found["ruleId"] == "configuration" and rules[found["ruleIndex"]]["id"] == "configuration"
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == BLOG
    assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of(project / BLOG,
                                                                                      "signInAudience")
    assert found["message"]["text"].startswith("signInAudience: 'Everyone' is not one of AzureADMyOrg")


def test_lint_annotates_its_own_findings_and_validates_problems_and_counts_them_all(project):
    """Whatever makes lint exit 1 is an annotation: validate's problems too, titled as validate's; errors first, each
    rule's in line order after those of rules found fewer times (GitHub shows 10 of a level: findings.weighed)."""
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: Everyone\npassword: Hunter2-canary-x")
    result = idamconf("lint", "-C", str(project), "--format", "github")
    assert result.code == 1 and result.err == ""
    assert [line.split("::")[1].split(",title=")[1] for line in annotations(result.out)] == [
        "idamconf lint%3A security.secret-in-file", "idamconf validate%3A configuration",
        "idamconf validate%3A configuration"]
    assert "unknown key 'password'" in result.out and "Hunter2-canary-x" not in result.out + result.err
    assert result.out.splitlines()[-1] == ("lint: 3 error(s), 0 warning(s) (2 of them validate's); of the 15 rules only "
                                           "security.token-lifetime and security.secret-in-file ran, because the "
                                           "configuration has errors (fix those first).")
