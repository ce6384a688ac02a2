"""The pipeline and pull-request templates in examples/ci/ and .github/: the settings that keep live safe."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples/ci/github-actions/idamconf.yml"
MARKER = "<!-- idamconf-plan -->"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def scripts(job: dict) -> str:
    return "\n".join(step.get("with", {}).get("script", "") for step in job["steps"])


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_triggers_on_configuration_pull_requests_and_pushes_to_main():
    triggers = workflow()[True]  # PyYAML reads the bare key `on` as true
    assert any("applications" in path for path in triggers["pull_request"]["paths"])
    assert triggers["push"]["branches"] == ["main"]
    assert workflow()["permissions"] == {}


def test_apply_job_is_gated_serialised_and_federated():
    job = workflow()["jobs"]["apply"]
    assert job["environment"] == "live"
    assert job["concurrency"] == {"group": "idamconf-apply-live", "cancel-in-progress": False}
    assert job["permissions"]["id-token"] == "write"
    assert "pull_request" in job["if"] and "refs/heads/main" in job["if"]
    assert "azure/login" in uses(job)
    login = next(step for step in job["steps"] if step.get("uses", "").startswith("azure/login"))
    assert set(login["with"]) >= {"client-id", "tenant-id"} and "vars." in login["with"]["client-id"]
    assert "idamconf apply" in runs(job) and "--env live --auto-approve --allow-delete" in runs(job)
    assert "AZURE_FEDERATED_TOKEN_FILE" in scripts(job)


def test_no_secret_anywhere_in_the_workflow():
    text = WORKFLOW.read_text().lower()
    for forbidden in ("client-secret", "client_secret", "azure_client_secret", "secrets.", "creds:"):
        assert forbidden not in text


def test_pr_job_validates_lints_to_sarif_and_plans():
    job = workflow()["jobs"]["plan"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"]["security-events"] == "write" and job["permissions"]["pull-requests"] == "write"
    commands = runs(job)
    assert "idamconf validate" in commands
    assert "idamconf lint" in commands and "--format sarif > idamconf.sarif" in commands
    sarif = next(step for step in job["steps"] if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert sarif["with"]["sarif_file"] == "idamconf.sarif"
    assert "--env nle" in commands and "--format markdown --out plan.json > plan.md" in commands
    assert "--detailed-exitcode" in commands and '2) echo "Changes pending' in commands
    assert "actions/upload-artifact" in uses(job)


def test_pr_job_updates_one_comment_found_by_its_marker():
    script = scripts(workflow()["jobs"]["plan"])
    assert MARKER in script
    assert "listComments" in script and "c.body.includes(marker)" in script
    assert "updateComment" in script and "createComment" in script
    assert script.index("updateComment") < script.index("createComment")  # update when found, else create


def test_the_emulator_is_never_used_in_the_pipeline():
    commands = runs(workflow()["jobs"]["plan"]) + runs(workflow()["jobs"]["apply"])
    for line in commands.splitlines():
        if line.strip().startswith("idamconf") and any(verb in line for verb in (" plan", " apply")):
            assert "--env nle" in line or "--env live" in line, line
    assert "emulator" not in commands


def test_pull_request_template_asks_the_demand_questions():
    text = (ROOT / ".github/pull_request_template.md").read_text().lower()
    for field in ("application name", "business owner", "roles requested", "approvers (at least two",
                  "reviewers (at least two)", "30–365", "environments", "classification", "justification",
                  "idamconf validate", "plan", "no secrets", "vault"):
        assert field in text, field
