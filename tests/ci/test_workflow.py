"""The example workflows' structure and logic, read as data: who can do what where, in which order, and that every
command they run exists (tests/ci/test_pull_requests.py runs them). actionlint checks them as GitHub would."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.cli.harness import idamconf

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "examples" / "ci" / "github-actions"
WORKFLOW, DRIFT = FOLDER / "idamconf.yml", FOLDER / "idamconf-drift.yml"
CREDENTIALS = FOLDER / "idamconf-credentials.yml"
ENVIRONMENTS = ("devl", "nle", "live")
PULL_REQUEST_JOBS = ("check", "plan", "comment")


def json_text(value) -> str:
    return json.dumps(value)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def text_of(job: dict) -> str:
    return yaml.safe_dump(job)


def test_triggers_and_no_permission_by_default():
    workflow = load(WORKFLOW)
    triggers = workflow[True]  # PyYAML reads the bare key `on` as true
    # The configuration's whole directory: a file an application reads (a logo, SAML metadata) changed alone is a
    # change to review, and to apply on merge.
    config_dir = load(WORKFLOW)["env"]["CONFIG_DIR"]
    for trigger in ("pull_request", "push"):
        assert f"{config_dir}/**" in triggers[trigger]["paths"]
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {} and load(DRIFT)["permissions"] == {}
    assert load(DRIFT)[True]["schedule"][0]["cron"]


def test_a_pull_request_holds_no_token_that_writes_and_no_secret():
    jobs = load(WORKFLOW)["jobs"]
    for name in PULL_REQUEST_JOBS:
        job = jobs[name]
        assert "'pull_request'" in job["if"] and "environment" not in job and "secrets." not in text_of(job)
        assert set(job["permissions"].values()) <= {"read", "write"}
        assert job["permissions"].get("id-token") in (None, "write") and job["permissions"]["contents"] == "read"
    assert jobs["plan"]["permissions"] == {"contents": "read", "id-token": "write", "actions": "read"}
    assert "_READ_CLIENT_ID" in text_of(jobs["plan"]) and "_WRITE_CLIENT_ID" not in text_of(jobs["plan"])
    assert jobs["comment"]["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_the_pull_request_plans_every_environment_it_touches():
    jobs = load(WORKFLOW)["jobs"]
    assert "idamconf environments -C \"$CONFIG_DIR\" --changed-since \"origin/$BASE_REF\" --format json" in \
        runs(jobs["check"])
    assert jobs["plan"]["strategy"]["matrix"]["environment"] == "${{ fromJSON(needs.check.outputs.environments) }}"
    assert jobs["plan"]["strategy"]["fail-fast"] is False  # every environment's outcome reaches the comment
    assert jobs["plan"]["if"].startswith("${{ !cancelled() && ") and "valid == 'true'" in jobs["plan"]["if"]
    plan = runs(jobs["plan"])
    assert '--env "$IDAMCONF_ENVIRONMENT" --base "origin/$BASE_REF"' in plan and "--out \"$plans/" in plan
    assert 'plans="$RUNNER_TEMP/plans"' in plan  # outside the checkout: test_the_jobs_files_are_outside_the_checkout
    assert '--changed-since "origin/$BASE_REF"' in plan  # reads only what the changed files need
    assert "2> \"$plans/$IDAMCONF_ENVIRONMENT.error\"" in plan  # a failure reaches the comment too
    checkout = next(step for step in jobs["plan"]["steps"] if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the base branch: drift
    check = runs(jobs["check"])
    for command in ("idamconf validate -C \"$CONFIG_DIR\"\n", "idamconf lint -C \"$CONFIG_DIR\" --format github",
                    "idamconf lint -C \"$CONFIG_DIR\" --format sarif > \"$RUNNER_TEMP/lint.sarif\""):
        assert command in check
    # each problem annotated and uploaded once: lint's findings include validate's problems
    assert "validate -C \"$CONFIG_DIR\" --format" not in check and "validate.sarif" not in check


def test_every_outcome_updates_the_one_comment():
    job = load(WORKFLOW)["jobs"]["comment"]
    assert job["if"].startswith("always()") and job["needs"] == ["check", "plan"]
    script = runs(job)
    assert 'idamconf comment -C "$CONFIG_DIR" --plans "$RUNNER_TEMP/plans" --environment "${ENVIRONMENTS:-[]}"' \
        in script
    assert "marker='<!-- idamconf-plan -->'" in script and 'startswith(\\"$marker\\")' in script
    assert 'select(.user.login == \\"github-actions[bot]\\"' in script
    assert script.index("--method PATCH") < script.index("--method POST")  # update when found, else create


def _post(tmp_path: Path, written: str, previous: str) -> str:
    """The comment job's last step, run as the runner runs it (bash, its env), against the fake GitHub holding the
    previous push's comment: the comment it leaves."""
    step = next(step for step in load(WORKFLOW)["jobs"]["comment"]["steps"] if step.get("name") ==
                "Post or update the comment")
    assert step["if"] == "${{ !cancelled() }}"  # also after a step before it failed (not when a newer push cancels)
    state = tmp_path / "github.json"
    state.write_text(json_text({"comments": {"7": [{"id": 1, "user": {"login": "github-actions[bot]"},
                                                    "body": previous}]}, "issues": [], "pulls": {}}))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FOLDER.parents[2] / "tests/ci/fake_gh.py"}" "$@"\n')
    (bin_dir / "gh").chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GITHUB": str(state), "PR_NUMBER": "7",
           "GITHUB_REPOSITORY": "contoso/idam", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "42",
           "RUNNER_TEMP": str(tmp_path), "WRITTEN": written, "HEAD_SHA": "0123456789abcdef" * 2 + "01234567"}
    subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], env=env, check=True, cwd=tmp_path)
    return json.loads(state.read_text())["comments"]["7"][0]["body"]


def test_a_comment_that_could_not_be_written_replaces_the_last_pushs_plans_with_a_notice(tmp_path):
    """The previous push's comment is never left up as this push's: when writing the comment failed (a step before
    it failed, or the plans could not be fetched), it is replaced by a notice naming the commit and the run.
    Review, session 51: the post step ran only after a written comment, and the previous push's plans stayed."""
    previous = "<!-- idamconf-plan -->\n### idamconf plan for `live`\n**Plan: 1 to add, 0 to change, 0 to destroy.**"
    notice = _post(tmp_path, "failure", previous)
    assert notice.startswith("<!-- idamconf-plan -->\n") and "**Plan:" not in notice
    assert "could not be written" in notice and "`0123456789ab`" in notice
    assert "https://github.com/contoso/idam/actions/runs/42" in notice
    (tmp_path / "comment.md").write_text("<!-- idamconf-plan -->\nthis push's comment\n")
    assert _post(tmp_path, "success", previous) == "<!-- idamconf-plan -->\nthis push's comment\n"


def test_an_environment_list_that_cannot_be_narrowed_is_every_environment(tmp_path):
    """When `idamconf environments --changed-since` fails, the change is planned in every environment idamconf.yaml
    declares -- never in none, which left the comment saying "no environment" over a change nobody saw planned
    (review, session 51: the step fell back to `[]`). None only when idamconf.yaml itself cannot be read."""
    step = next(step for step in load(WORKFLOW)["jobs"]["check"]["steps"] if step.get("id") == "scope")

    def listed(narrowed_fails: bool, whole_fails: bool) -> str:
        fake = tmp_path / "bin" / "idamconf"  # `environments`, narrowed (--changed-since) or whole, each may fail
        fake.parent.mkdir(exist_ok=True)
        narrowed = "exit 1" if narrowed_fails else "echo '[\"nle\"]'"
        whole = "exit 1" if whole_fails else "echo '[\"devl\", \"nle\", \"live\"]'"
        fake.write_text(f'#!/bin/sh\ncase "$*" in\n  *--changed-since*) {narrowed} ;;\n  *) {whole} ;;\nesac\n')
        fake.chmod(0o755)
        output = tmp_path / "output"
        output.write_text("")
        env = {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "CONFIG_DIR": "examples",
               "BASE_REF": "main", "GITHUB_OUTPUT": str(output)}
        subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], env=env, check=True, cwd=tmp_path,
                       capture_output=True)
        return output.read_text().strip()

    assert listed(False, False) == 'environments=["nle"]'
    assert listed(True, False) == 'environments=["devl", "nle", "live"]'
    assert listed(True, True) == "environments=[]"


def test_the_jobs_files_are_outside_the_checkout():
    """What the pull request's jobs write for themselves -- plans, lint's SARIF, the comment -- is written in the
    runner's temporary directory, never in the checkout, where a pull request commits what it likes (a
    `plans/live.json`, a `lint.sarif/`: tests/ci/test_pull_requests.py)."""
    jobs = load(WORKFLOW)["jobs"]
    for name in (*PULL_REQUEST_JOBS, "code-scanning", *(f"{job}-{env}" for job in ("plan", "apply")
                                                       for env in ENVIRONMENTS)):
        for step in jobs[name]["steps"]:
            for target in re.findall(r"(?<![0-9&-])>>? *(\S+)", step.get("run", "")):
                assert target.startswith(('"$RUNNER_TEMP/', '"$plans/', '"$body"', '"$GITHUB_')) or \
                    target in ("/dev/null", "&2"), (name, step.get("name"), target)
            for key in ("path", "sarif_file"):
                if step.get("uses", "").startswith(("actions/upload-artifact", "actions/download-artifact",
                                                     "github/codeql-action/upload-sarif")) and key in step["with"]:
                    assert step["with"][key].startswith("${{ runner.temp }}/"), (name, step["with"])


@pytest.mark.parametrize("path", [DRIFT, CREDENTIALS], ids=lambda path: path.name)
def test_the_scheduled_jobs_files_are_outside_the_checkout(path):
    """The drift and credentials schedules' reports (an issue's body) are written in the runner's temporary
    directory, as the pull request's files are: never in the checkout, where a committed `drift.md/` or `report.md`
    link would be written through or break the step (until session 52 they were written at the checkout's top)."""
    for name, job in load(path)["jobs"].items():
        for step in job["steps"]:
            script = step.get("run", "")
            for target in re.findall(r"(?<![0-9&-])>>? *(\S+)", script):
                assert target.startswith(('"$RUNNER_TEMP/', '"$GITHUB_')) or target in ("/dev/null", "&2"), \
                    (name, step.get("name"), target)
            for read in re.findall(r"(?:--body-file|\bcat) +(\S+)", script):
                assert read.startswith('"$RUNNER_TEMP/'), (name, step.get("name"), read)


def test_merge_applies_each_environment_in_order_from_a_plan_made_at_merge():
    jobs = load(WORKFLOW)["jobs"]
    previous = None
    for name in ENVIRONMENTS:
        plan, apply = jobs[f"plan-{name}"], jobs[f"apply-{name}"]
        assert plan["environment"] == "idamconf-plan" and apply["environment"] == name
        assert plan["needs"] == (["scope", f"apply-{previous}"] if previous else "scope")
        assert f"'{name}'" in plan["if"] and (previous is None or "!failure()" in plan["if"])
        assert apply["needs"] == f"plan-{name}" and apply["if"] == f"needs.plan-{name}.outputs.changes == 'true'"
        for job in (plan, apply):
            assert job["concurrency"] == {"group": f"idamconf-{name}", "cancel-in-progress": False}
            assert job["env"] == {"IDAMCONF_ENVIRONMENT": name}
        assert f"IDAMCONF_{name.upper()}_READ_CLIENT_ID" in text_of(plan) and "_WRITE_" not in text_of(plan)
        assert f"IDAMCONF_{name.upper()}_WRITE_CLIENT_ID" in text_of(apply) and "_READ_" not in text_of(apply)
        assert "idamconf plan -C \"$CONFIG_DIR\" --env \"$IDAMCONF_ENVIRONMENT\" --detailed-exitcode" in runs(plan)
        assert '>> "$GITHUB_STEP_SUMMARY"' in runs(plan) and "commits/$GITHUB_SHA/pulls" in runs(plan)
        assert 'idamconf apply "$RUNNER_TEMP/merge-plan/$IDAMCONF_ENVIRONMENT.json"' in runs(apply)
        assert "--auto-approve --allow-delete" in runs(apply)
        previous = name


def test_code_scanning_has_mains_analysis_to_compare_a_pull_requests_with():
    """Code scanning shows a pull request's alerts against the analysis of its base branch ("Analysis not found"
    without one): lint's SARIF is uploaded on a push to main too (and a run by hand there), under the category of the
    pull request's, with no token that writes anything but the upload."""
    workflow = load(WORKFLOW)
    jobs = workflow["jobs"]
    uploading = {name: steps_using(job, "github/codeql-action/upload-sarif") for name, job in jobs.items()}
    assert [name for name, found in uploading.items() if found] == ["check", "code-scanning"]
    [pull_request], [main] = uploading["check"], uploading["code-scanning"]
    assert main["with"] == pull_request["with"] == {"sarif_file": "${{ runner.temp }}/lint.sarif",
                                                    "category": "idamconf-lint"}
    job = jobs["code-scanning"]
    assert job["if"] == "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    assert workflow[True]["push"]["branches"] == ["main"]  # what the job runs on
    assert 'idamconf lint -C "$CONFIG_DIR" --format sarif > "$RUNNER_TEMP/lint.sarif"' in runs(job)
    assert job["permissions"] == jobs["check"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert "needs" not in job and "environment" not in job  # whatever the merge's applies do
    for upload in (pull_request, main):
        assert upload["if"] == "always() && steps.sarif.outcome == 'success'" and upload["continue-on-error"] is True


CACHE = "${{ env.CONFIG_DIR }}/.idamconf/cache"  # validate's validated files (idamconf/config/known_files.py)


def steps_using(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").split("@", 1)[0] == action]


def position(job: dict, found) -> int:
    return next(index for index, step in enumerate(job["steps"]) if found(step))


def test_a_pull_request_only_restores_the_cache_of_validated_files():
    """A pull request's plan may read the files main's validate found valid, never write them: actions/cache's post
    step would save from the pull request, so no job uses it; the pull-request jobs never save."""
    for path in (WORKFLOW, DRIFT, CREDENTIALS):
        for name, job in load(path)["jobs"].items():
            assert not steps_using(job, "actions/cache"), (path.name, name)
    jobs = load(WORKFLOW)["jobs"]
    for name in PULL_REQUEST_JOBS:
        assert not steps_using(jobs[name], "actions/cache/save"), name
    assert [name for name, job in jobs.items() if steps_using(job, "actions/cache/restore")] == ["plan"]
    plan = jobs["plan"]
    [restore] = steps_using(plan, "actions/cache/restore")
    assert restore["with"] == {"path": CACHE, "key": "idamconf-files-${{ github.event.pull_request.base.sha }}",
                               "restore-keys": "idamconf-files-"}
    restored = plan["steps"].index(restore)
    assert position(plan, lambda step: step.get("uses", "").startswith("actions/checkout")) < restored
    # what the pull request's own runs saved is restored first (its ref before its base branch's): removed after
    # the restore, before the plan, when GitHub lists any there or cannot say (tests/ci/test_pull_requests.py)
    checked = position(plan, lambda step: "actions/caches?ref=$OWN_REF&key=idamconf-files-" in step.get("run", ""))
    check = plan["steps"][checked]
    assert check["env"]["OWN_REF"] == "refs/pull/${{ github.event.pull_request.number }}/merge"
    assert "|| own=unknown" in check["run"] and 'rm -rf "$CONFIG_DIR/.idamconf/cache"' in check["run"]
    assert "if" not in check and "continue-on-error" not in check
    assert restored < checked < position(plan, lambda step: "idamconf plan" in step.get("run", ""))


def test_only_mains_runs_save_the_cache_and_only_once_validate_succeeded():
    jobs = load(WORKFLOW)["jobs"]
    saving = [name for name, job in jobs.items() if steps_using(job, "actions/cache/save")]
    assert saving == ["scope"]
    scope = jobs["scope"]
    assert "github.event_name != 'pull_request'" in scope["if"] and "github.ref == 'refs/heads/main'" in scope["if"]
    [save] = steps_using(scope, "actions/cache/save")
    assert save["with"] == {"path": CACHE, "key": "idamconf-files-${{ github.sha }}"}  # the path the plan restores
    assert "if" not in save and "continue-on-error" not in save  # only after every step before it succeeded
    validated = position(scope, lambda step: step.get("run", "").startswith('idamconf validate -C "$CONFIG_DIR"'))
    assert validated < scope["steps"].index(save) and "if" not in scope["steps"][validated]
    assert "continue-on-error" not in scope["steps"][validated]


def test_no_secret_but_the_plan_signing_key_and_only_where_plans_are_signed_or_applied():
    for path in (WORKFLOW, DRIFT):
        text = path.read_text().lower()
        for forbidden in ("client-secret", "client_secret", "azure_client_secret", "creds:"):
            assert forbidden not in text
    for name, job in load(WORKFLOW)["jobs"].items():
        used = set(re.findall(r"secrets\.([A-Za-z0-9_]+)", text_of(job)))
        expected = {"IDAMCONF_PLAN_SIGNING_KEY"} if name.startswith(("plan-", "apply-")) else set()
        assert used == expected, name
    assert "secrets." not in DRIFT.read_text()


def test_the_drift_workflow_checks_every_environment_and_fails_on_drift():
    jobs = load(DRIFT)["jobs"]
    job = jobs["drift"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    assert "_READ_CLIENT_ID" in text_of(job) and "_WRITE_" not in text_of(job) and "environment" not in job
    script = runs(job)
    assert 'idamconf drift -C "$CONFIG_DIR" --env "$IDAMCONF_ENVIRONMENT" --format markdown > "$RUNNER_TEMP/drift.md"' \
        in script
    assert "gh issue create" in script and "gh issue edit" in script and "gh issue close" in script
    failing = next(step for step in job["steps"] if step.get("name") == "Fail on drift")
    assert failing["if"] == "steps.drift.outputs.status == '2'" and "exit 2" in failing["run"]


def test_the_credentials_report_runs_weekly_with_the_read_identity_and_opens_one_issue():
    workflow = load(CREDENTIALS)
    assert workflow[True]["schedule"][0]["cron"] and workflow["permissions"] == {}
    job = workflow["jobs"]["credentials"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    assert "_READ_CLIENT_ID" in text_of(job) and "_WRITE_" not in text_of(job) and "secrets." not in text_of(job)
    script = runs(job).replace("\\\n", " ")
    assert re.search(r'idamconf credentials report -C "\$CONFIG_DIR" --env "\$IDAMCONF_ENVIRONMENT" --within 45 +'
                     r'--format markdown > "\$RUNNER_TEMP/report.md"', script)
    assert "gh issue create" in script and "gh issue edit" in script and "gh issue close" in script
    failing = next(step for step in job["steps"] if step.get("name") == "Fail when something expires")
    assert failing["if"] == "steps.report.outputs.status == '2'" and "exit 2" in failing["run"]


def commands(path: Path) -> list[list[str]]:
    """Every idamconf command line of a workflow's `run:` steps, continuation lines joined, as words."""
    found = []
    for job in load(path)["jobs"].values():
        for step in job["steps"]:
            script = step.get("run", "").replace("\\\n", " ")
            found += [shlex.split(match) for match in re.findall(r"(?:^|\$\()\s*(idamconf [^|>&\n)]*)", script, re.M)]
    return found


@pytest.mark.parametrize("path", [WORKFLOW, DRIFT, CREDENTIALS], ids=lambda path: path.name)
def test_every_idamconf_command_exists_with_its_options(path):
    found = commands(path)
    assert len(found) >= 2
    for words in found:
        verb = list(itertools.takewhile(str.isidentifier, words[1:]))  # a command, or a group's (credentials report)
        helped = idamconf(*verb, "--help")
        assert helped.code == 0, words
        for option in (word for word in words if word.startswith("--")):
            assert option in helped.out, (option, words)
        if verb and verb[0] in ("plan", "apply", "drift", "credentials"):
            assert '--env' in words, words  # never the emulator by default


def test_actionlint_reports_nothing():
    """actionlint (from the test extras: a wheel that carries its binary) with shellcheck for the `run:` steps."""
    bin_dir = Path(sys.executable).parent
    actionlint = bin_dir / "actionlint"
    assert actionlint.exists(), "install the test extras: pip install -e '.[test]'"
    assert (bin_dir / "shellcheck").exists()
    environment = {**os.environ, "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
    workflows = sorted(str(path) for path in FOLDER.glob("*.yml"))  # every example workflow
    assert {str(WORKFLOW), str(DRIFT)} <= set(workflows)
    result = subprocess.run([str(actionlint), "-no-color", *workflows], capture_output=True,
                            text=True, env=environment, cwd=ROOT, timeout=120)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_pull_request_template_asks_the_demand_questions():
    text = (ROOT / ".github/pull_request_template.md").read_text().lower()
    for field in ("application name", "business owner", "roles requested", "approvers (at least two",
                  "reviewers (at least two)", "30–365", "environments", "classification", "justification",
                  "idamconf validate", "plan", "no secrets", "vault"):
        assert field in text, field
