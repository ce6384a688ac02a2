"""A demand request as a pull request, simulated in a temporary git repository: a branch adds one application file;
the plan and its comment show exactly that application; after the merge, apply; the next plan is empty."""

from __future__ import annotations

import json
import subprocess

from .harness import applications, apply, idamconf, plan
from .test_scenarios import converged

DEMAND = """# yaml-language-server: $schema=../../schemas/application.schema.json
name: crm
displayName: Customer Relationship Manager
description: Sales teams track customers and opportunities.
owners: [dave.finance@contoso.com, bob.ops@contoso.com]
appRoles:
  - displayName: Sales representative
    value: CRM.Sales
    description: Manages own accounts and opportunities.
    accessPackage:
      approvers: [dave.finance@contoso.com, erin.security@contoso.com]
      accessReview:
        reviewers: [frank.audit@contoso.com, erin.security@contoso.com]
        frequencyDays: 180
"""


def git(repo, *args: str) -> str:
    identity = ["-c", "user.name=idamconf tests", "-c", "user.email=tests@example.com"]
    return subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def committed(directory) -> None:
    """The directory made a git repository whose main branch holds what it holds (idamconf's state left out)."""
    (directory / ".gitignore").write_text(".idamconf/\n")
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", "baseline")


def configuration_repository(project) -> None:
    """The configuration directory as a git repository whose main branch holds the examples, applied."""
    committed(project)
    assert apply(project).code == 0


def test_demand_request_from_branch_to_merge(project):
    configuration_repository(project)

    git(project, "checkout", "-q", "-b", "demand/crm")
    (project / "applications/crm.yaml").write_text(DEMAND)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Demand: CRM")

    comment = idamconf("plan", "-C", str(project), "--changed-since", "main", "--format", "markdown",
                       "--out", str(project.parent / "plan.json"))
    assert comment.code == 0, comment.err
    text = comment.out
    assert text.startswith("<!-- idamconf-plan -->")
    assert "**Plan: 11 to add, 0 to change, 0 to destroy.**" in text  # and the service principal's 2 owners
    addresses = [line.split("`")[1] for line in text.splitlines() if line.startswith("| ➕ |")]
    assert addresses and all(address.startswith("app.crm") for address in addresses)
    assert "```mermaid" in text and 'n_app_crm["crm"]' in text
    assert "-- approves -->" in text and "every 6 months" in text
    assert "wordpress" not in text

    git(project, "checkout", "-q", "main")
    git(project, "merge", "-q", "--no-ff", "demand/crm",
        "-m", "Merge demand/crm")
    merged = idamconf("apply", str(project.parent / "plan.json"), "-C", str(project), "--auto-approve")
    assert merged.code == 0, merged.err
    assert "Apply complete: 11 added, 0 changed, 0 destroyed." in merged.out
    converged(project)
    assert "crm" in applications(project)


def test_changed_since_sees_removed_files(project):
    configuration_repository(project)
    (project / "applications/payments-api.yaml").unlink()
    result = plan(project, "--changed-since", "HEAD")
    assert "- app.payments-api  (destroy)" in result.out
    assert "wordpress" not in result.out and "hr-self-service" not in result.out
    # the human plan shows no warnings: what it left out is said on stderr, whole; the JSON plan holds it
    said = ("Planned only the 1 application(s) whose files changed since HEAD: drift anywhere else in the tenant is "
            "left to the full plan (plan without --changed-since).")
    assert result.err == said + "\n"
    document = json.loads(plan(project, "--changed-since", "HEAD", "--format", "json").out)
    assert document["warnings"] == [said]
    bad = plan(project, "--changed-since", "no-such-ref")
    assert bad.code == 1 and "pass a ref that exists" in bad.err


def test_the_comment_lists_the_policy_findings(project):
    text = (project / "applications/hr-self-service.yaml").read_text()
    (project / "applications/hr-self-service.yaml").write_text(
        text.replace("    description: Views own payslips and books own leave.\n", ""))
    comment = plan(project, "--format", "markdown").out
    assert "#### Policy findings" in comment
    assert "| warning | `role.description` | `" in comment and "applications/hr-self-service.yaml:" in comment
    assert "None: the configuration follows the organisation's rules." not in comment


def test_changed_since_sees_renames_and_non_ascii_file_names(project):
    configuration_repository(project)
    text = (project / "applications/payments-api.yaml").read_text()
    (project / "applications/payments-api.yaml").write_text(text.replace("name: payments-api", "name: payments"))
    (project / "applications/café.yaml").write_text(DEMAND)
    result = plan(project, "--changed-since", "HEAD")
    assert "- app.payments-api  (destroy)" in result.out
    assert "+ app.payments  (create)" in result.out and "+ app.crm  (create)" in result.out
    assert "wordpress" not in result.out


def test_the_comments_findings_are_graded_as_in_the_environment_planned(project):
    """A rule turned off in the environment planned finds nothing in its comment, whatever other environments say."""
    from tests.lint.test_severity import set_rules

    set_rules(project, local={"role.description": "off"})
    text = (project / "applications/hr-self-service.yaml").read_text()
    (project / "applications/hr-self-service.yaml").write_text(
        text.replace("    description: Views own payslips and books own leave.\n", ""))
    comment = plan(project, "--format", "markdown").out
    assert "#### Policy findings" in comment and "role.description" not in comment
    assert "\n\nTarget: local — embedded emulator \\(" in comment  # where the plan was made
    assert "None: the configuration follows the organisation's rules." in comment
