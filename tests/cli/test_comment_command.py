"""`idamconf comment` makes the one comment from whatever the pull request's jobs left, so every outcome replaces
the last one: validate's problems, lint's findings, a failed sign-in, each plan. And `idamconf environments` says
which environments a change touches (the plan jobs' matrix)."""

from __future__ import annotations

import json

from .harness import EXAMPLES_TO_ADD, edit, idamconf, plan
from .test_pull_request_flow import configuration_repository, git

BLOG = "applications/wordpress.yaml"


def comment(project, plans, *extra: str) -> str:
    result = idamconf("comment", "-C", str(project), "--plans", str(plans), *extra)
    assert result.code == 0, result.err
    assert result.out.startswith("<!-- idamconf-plan -->\n")
    return result.out


def test_plans_and_failures_of_each_environment_in_one_comment(project, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    assert plan(project, "--out", str(plans / "local.json")).code == 0
    (plans / "live.error").write_text("error: signing in to Entra ID failed for environment 'live' (credential "
                                      "workload-identity): no federated token. Fix: run it in the pipeline.\n")
    text = comment(project, plans, "--environment", "local,nle", "--environment", "live", "--commit", "a" * 40)
    assert text.splitlines()[1] == "### idamconf plan for `local`, `nle`, `live` (eucs-idam)"
    assert "Commit `aaaaaaaaaaaa`" in text
    local, nle, live = (text.index(f"### `{name}`") for name in ("local", "nle", "live"))
    assert text.index("#### Policy findings") < local < nle < live
    assert f"**Plan: {EXAMPLES_TO_ADD} to add, 0 to change, 0 to destroy.**" in text[local:nle]
    assert "**No plan for `nle`:** not planned" in text[nle:live]
    assert "**No plan for `live`:** the plan failed." in text[live:] and "no federated token" in text[live:]


def test_validation_errors_replace_the_plans(project, tmp_path):
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: Everyone\npassword: Hunter2-canary-x9")
    text = comment(project, tmp_path, "--environment", "nle")
    assert "#### Validation errors" in text and "'Everyone' is not one of AzureADMyOrg" in text
    assert "[security.secret-in-file]" not in text and "`security.secret-in-file`" in text  # lint's, in its table
    assert "Hunter2-canary-x9" not in text
    assert "**No plan for `nle`:** not planned" in text



def test_validation_errors_of_a_configuration_that_loads_replace_the_plans_too(project, tmp_path):
    """A file that reads but fails validate's checks (a secret rotated no sooner than it expires) stops the plans
    too: the comment says why, as it does for a file that does not read. Until session 49 it said "see validate's
    problems above" over none. A rule's error validate also found (one approver, an error in live) is lint's
    finding, listed once, there."""
    edit(project / "applications/expenses.yaml", "rotateBeforeDays: 30", "rotateBeforeDays: 180")
    edit(project / "applications/hr-self-service.yaml", "approvers: [carol.hr@contoso.com, bob.ops@contoso.com]",
         "approvers: [carol.hr@contoso.com]")
    assert idamconf("validate", "-C", str(project)).code == 1
    text = comment(project, tmp_path, "--environment", "live")
    validation, findings = text.index("#### Validation errors"), text.index("#### Policy findings")
    assert "rotateBeforeDays \\(180\\) is not shorter than lifetimeDays \\(180\\)" in text[validation:findings]
    assert text.count("only 1 approver") == 1 and "only 1 approver" in text[findings:]
    assert "**No plan for `live`:** not planned" in text


def test_a_secret_quoted_by_validates_message_is_redacted_in_the_comment(project, tmp_path):
    """The comment is posted where everyone with access to the repository reads it: a value held under a secret key
    is never in it, even where validate's message quotes it for another reason (here, as a bad audience)."""
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: Hunter2-canary-x9\npassword: Hunter2-canary-x9")
    text = comment(project, tmp_path, "--environment", "nle")
    assert "#### Validation errors" in text and "'[redacted]' is not one of AzureADMyOrg" in text
    assert "Hunter2-canary-x9" not in text

def test_the_environments_a_change_touches(project):
    configuration_repository(project)
    assert idamconf("environments", "-C", str(project)).out == "devl\nnle\nlive\n"  # never the emulator

    def touched() -> list[str]:
        result = idamconf("environments", "-C", str(project), "--changed-since", "main", "--format", "json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    assert touched() == []
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    assert touched() == ["devl", "nle", "live"]  # no environments: every one
    git(project, "checkout", "-q", "--", BLOG)
    (project / "applications" / "crm.yaml").write_text("name: crm\ndisplayName: CRM\nowners: [a@contoso.com]\n"
                                                       "environments: [nle]\n")
    assert touched() == ["nle"]
    git(project, "add", "-A")
    git(project, "commit", "-qm", "crm in nle")
    edit(project / "applications" / "crm.yaml", "environments: [nle]", "environments: [live]")
    assert touched() == ["nle", "live"]  # it leaves nle and goes to live
    (project / "applications" / "crm.yaml").unlink()
    assert touched() == ["nle"]  # as it was
    git(project, "checkout", "-q", "--", ".")
    edit(project / "idamconf.yaml", "tenantSize: L", "tenantSize: M")
    assert touched() == ["devl", "nle", "live"]


def test_a_broken_application_file_still_names_the_environments_to_report(project, tmp_path):
    (project / "applications" / "broken.yaml").write_text("name: [\n")
    listed = idamconf("environments", "-C", str(project), "--format", "json")
    assert listed.code == 0 and json.loads(listed.out) == ["devl", "nle", "live"]
    text = comment(project, tmp_path, "--environment", listed.out.strip())  # the matrix, as it is
    assert "### `devl`" in text and "### `live`" in text and "#### Validation errors" in text


def test_the_run_and_the_commit_are_linked_only_when_they_are_what_they_say(project, tmp_path, monkeypatch):
    """The comment's first lines come from the runner's variables and --commit: a value that is not a run's address
    or a commit's hash (Markdown that would add a link, say) is left out, never written into the comment."""
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "contoso/idam")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    text = comment(project, tmp_path, "--environment", "nle", "--commit", "0123abc" * 2)
    assert "[the run](https://github.com/contoso/idam/actions/runs/4242)" in text
    assert "Commit `0123abc0123a`" in text

    monkeypatch.setenv("GITHUB_RUN_ID", "4242) [approve](https://evil.example/x")
    text = comment(project, tmp_path, "--environment", "nle", "--commit", "0123abc](https://evil.example/y)")
    assert "evil.example" not in text and "[the run]" not in text and "Commit `" not in text
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_REPOSITORY", "contoso/idam) [x](https://evil.example/z")
    assert "evil.example" not in comment(project, tmp_path, "--environment", "nle")


def test_a_saved_plans_project_name_is_shown_escaped_when_the_configuration_does_not_validate(project, tmp_path):
    """With no valid configuration the comment names the project its plans give: text from a file, written into the
    comment's first line as text -- never a second marker, a link or a mention."""
    (project / "applications" / "broken.yaml").write_text("name: [\n")
    hostile = "x <!-- idamconf-plan --> [approve](https://evil.example) @platform-team"
    (tmp_path / "nle.json").write_text(json.dumps({"plan": {"project": hostile, "environment": "nle",
                                                            "tenant": "t", "changes": []}}))
    text = comment(project, tmp_path, "--environment", "nle")
    assert text.count("<!-- idamconf-plan -->") == 1
    assert "](https://evil.example)" not in text and " @platform-team" not in text


def test_what_a_failed_plan_said_and_validates_words_are_shown_as_text(project, tmp_path):
    """A failed plan job's stderr, and validate's messages quoting a file's values, reach the comment as text: no
    terminal escape, no workflow command at a line's start, no link or table cell of their own."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "live.error").write_text("error: \x1b[2Kno federated token\x1b]52;c;Y3VybA==\x07\n::error::forged\n")
    text = comment(project, plans, "--environment", "live")
    assert "\x1b" not in text and "\x07" not in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "no federated token" in text

    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: '[approve](https://evil.example) | x'")
    text = comment(project, plans, "--environment", "live")
    assert "#### Validation errors" in text
    assert "](https://evil.example)" not in text
    row = next(line for line in text.splitlines() if "is not one of AzureADMyOrg" in line)
    assert row.count(" | ") == 2  # three cells: where, problem, fix


def test_a_plan_the_pull_request_committed_is_never_shown_as_its_environments(project, tmp_path):
    """The workflow's jobs keep their plans in `plans/`; a pull request can commit files there too (beside the
    configuration, in the same checkout), and a plan job's artifact, or the comment job's checkout, then holds them:
    the comment would show a plan of the author's choosing ("No changes") for an environment whose own plan failed,
    or whose artifact was unpacked first. A file git tracks is never read as a plan job's: the environment says it
    was not read, and why. Review, session 51: it was shown as the environment's plan."""
    plans = tmp_path / "plans"
    plans.mkdir()
    assert plan(project, "--out", str(plans / "local.json")).code == 0
    forged = json.loads((plans / "local.json").read_text())
    forged["plan"].update(environment="nle", changes=[], summary={"adopt": 0, "add": 0, "change": 0, "destroy": 0})
    (plans / "nle.json").write_text(json.dumps(forged))
    (plans / "live.error").write_text("error: the plan failed for a reason of the author's choosing\n")
    (tmp_path / ".gitignore").write_text(".idamconf/\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "config", "plans/nle.json", "plans/live.error", ".gitignore")  # local.json: a job's
    git(tmp_path, "commit", "-q", "-m", "a pull request's plans")

    text = comment(project, plans, "--environment", "local,nle,live")
    local, nle, live = (text.index(f"### `{name}`") for name in ("local", "nle", "live"))
    assert f"**Plan: {EXAMPLES_TO_ADD} to add, 0 to change, 0 to destroy.**" in text[local:nle]  # the job's own
    assert "No changes" not in text and "**No plan for `nle`:**" in text[nle:live]
    assert "not read: git tracks nle.json" in text[nle:live]
    assert "author's choosing" not in text and "not read: git tracks live.error" in text[live:]

    (tmp_path / "linked").symlink_to(plans, target_is_directory=True)  # named through a link: asked as it is
    assert "not read: git tracks nle.json" in comment(project, tmp_path / "linked", "--environment", "nle")

    (plans / "LOCAL.error").write_text("error: on a file system that ignores case it is local.error\n")
    git(tmp_path, "add", "plans/LOCAL.error")
    git(tmp_path, "commit", "-q", "-m", "a name in another case")
    assert "not read: git tracks local.error" in comment(project, plans, "--environment", "local")


def test_a_flood_of_one_rules_findings_never_pushes_anothers_out_of_the_comment(project, tmp_path):
    """The comment lists at most 100 findings, and GitHub shows 10 warning annotations of a step. In lint's order (by
    file and line) a pull request that added a file sorting first with 110 roles without a description pushed a
    high-privilege permission -- a warning outside live, which blocks nothing and which the reviewer must see -- out
    of both, as one of "11 more findings". Errors come first, then each rule's findings after those of rules found
    fewer times (review, session 51)."""
    roles = "".join(f"  - displayName: Role {n}\n    value: Aaa.Role{n}\n" for n in range(110))
    (project / "applications" / "aaa.yaml").write_text(
        "name: aaa\ndisplayName: AAA\nowners: [dave.finance@contoso.com, bob.ops@contoso.com]\nappRoles:\n" + roles)
    (project / "applications" / "zz-daemon.yaml").write_text(
        "name: zz-daemon\ndisplayName: ZZ daemon\nowners: [dave.finance@contoso.com, bob.ops@contoso.com]\n"
        "environments: [devl, nle]\napiPermissions:\n  - api: Microsoft Graph\n"
        "    application: [Directory.ReadWrite.All]\n    consent: true\n")
    text = comment(project, tmp_path, "--environment", "nle")
    assert "more findings, left out of this comment" in text  # the cut happens ...
    assert "| warning | `security.high-privilege-permission` |" in text  # ... and leaves it in, first
    rows = [line for line in text.splitlines() if line.startswith("| warning |")]
    assert "high-privilege" in rows[0] and all("role.description" in row for row in rows[1:])
    # GitHub shows a step's first 10 warning annotations (actions/toolkit's docs/problem-matchers.md): the same order
    annotations = idamconf("lint", "-C", str(project), "--format", "github").out.splitlines()
    warnings = [line for line in annotations if line.startswith("::warning ")]
    assert len(warnings) == 111 and "security.high-privilege-permission" in warnings[0]


def test_errors_come_first_in_the_comments_findings():
    from idamconf.comment.sections import weighed
    from idamconf.lint.model import Finding

    found = [Finding("owners.two", "warning", "one owner", "add one", "a.yaml", 1, 1),
             *(Finding("approvers.two", "error", "one approver", "add one", "b.yaml", n, 1) for n in (1, 2))]
    assert [finding.rule for finding in weighed(found)] == ["approvers.two", "approvers.two", "owners.two"]
