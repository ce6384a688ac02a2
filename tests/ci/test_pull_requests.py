"""Pull requests through the example workflow, its own commands run as written (runner.py) against two emulated
tenants (nle and live, served on loopback, the examples applied to both) and a fake GitHub (fake_gh.py): what each
reviewer sees.

- a new application, while someone edits a tenant in the portal: ONE comment, findings first, the drift apart;
- a push that breaks a file: the SAME comment now says what is broken, with no plan left over from the last push;
- merged: for each environment in order, a plan made at merge, shown in the run and linking the reviewed comment,
  then applied -- live's plan shown before live's apply;
- a rename and a deletion: the replacement marked `-/+` with what it loses, the deletion listed first.
(The examples' own comments at scale, 50 applications and more: tests/comment/.)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from idamconf.config import known_files
from idamconf.emulator.seed import seed_file
from idamconf.emulator.store import Store
from idamconf.emulator.tls import ensure
from tests.emulator.conftest import serving

from tests.cli.harness import idamconf
from tests.cli.test_pull_request_flow import DEMAND as PULL_REQUEST_DEMAND

from .runner import Event, Runner

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "ci" / "github-actions" / "idamconf.yml"
REPOSITORY = "contoso/identity"
LIMIT = 65_536
SEEDED_TENANT = "00000000-0000-0000-0000-00000000c001"


def git(where: Path, *args: str) -> str:
    identity = ["-c", "user.name=Service team", "-c", "user.email=team@contoso.com", "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *identity, *args], cwd=where, check=True, capture_output=True, text=True).stdout


class World:
    """The configuration repository (origin, and an author's clone), two tenants, GitHub, and the runner."""

    def __init__(self, tmp: Path, tenants: dict[str, str], ca_bundle: Path):
        self.ca_bundle = ca_bundle
        self.origin, self.author, self.github = tmp / "origin.git", tmp / "author", tmp / "github.json"
        git(tmp, "init", "-q", "--bare", str(self.origin))
        git(tmp, "clone", "-q", str(self.origin), str(self.author))
        config = self.author / "examples"
        shutil.copytree(ROOT / "examples", config, ignore=shutil.ignore_patterns(".idamconf", "ci"))
        (config / "idamconf.yaml").write_text(_tenants(config / "idamconf.yaml", tenants, ca_bundle))
        hr = config / "applications" / "hr-self-service.yaml"  # devl is not one of this repository's tenants
        hr.write_text(hr.read_text().replace("[local, devl, nle, live]", "[local, nle, live]"))
        expenses = config / "applications" / "expenses.yaml"  # nor a vault secret's override
        text = expenses.read_text()
        start = text.index("  devl:\n")
        expenses.write_text(text[:start] + text[text.index("  nle:\n", start):])
        self.commit("Configuration")
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        _shim(bin_dir / "gh", f'exec "{sys.executable}" "{Path(__file__).with_name("fake_gh.py")}" "$@"')
        _shim(bin_dir / "python", f'if [ "$1 $2 $3" = "-m pip install" ]; then exit 0; fi\nexec "{sys.executable}" "$@"')
        path = [str(bin_dir), str(Path(sys.executable).parent), *os.environ["PATH"].split(os.pathsep)]
        environment = {"FAKE_GITHUB": str(self.github), "GITHUB_REPOSITORY": REPOSITORY, "NO_COLOR": "1"}
        self.runner = Runner(WORKFLOW, self.origin, tmp / "runs", path, environment,
                             {"IDAMCONF_PLAN_SIGNING_KEY": secrets.token_hex(32)})
        self.pulls = 0

    def commit(self, message: str, branch: str = "main") -> str:
        git(self.author, "add", "-A")
        git(self.author, "commit", "-qm", message)
        git(self.author, "push", "-q", "--force", "origin", f"HEAD:{branch}")
        return git(self.author, "rev-parse", "HEAD").strip()

    def push_to_main(self, before: str | None = None) -> dict:
        sha = git(self.author, "rev-parse", "HEAD").strip()
        name = "push" if before else "workflow_dispatch"
        return self.runner.run(Event(name, sha, {
            "event_name": name, "ref": "refs/heads/main", "sha": sha, "repository": REPOSITORY, "token": "t",
            "event": {"before": before or ""}}))

    def pull_request(self, number: int, branch: str) -> dict:
        sha = git(self.author, "rev-parse", "HEAD").strip()
        base = git(self.origin, "rev-parse", "main").strip()
        return self.runner.run(Event("pull_request", sha, {
            "event_name": "pull_request", "ref": f"refs/pull/{number}/merge", "sha": sha, "base_ref": "main",
            "head_ref": branch, "repository": REPOSITORY, "token": "t",
            "event": {"pull_request": {"number": number, "head": {"sha": sha}, "base": {"sha": base}}}}))

    def comments(self, number: int) -> list[dict]:
        return json.loads(self.github.read_text())["comments"].get(str(number), [])

    def merged(self, number: int) -> None:
        state = json.loads(self.github.read_text())
        state["pulls"][git(self.author, "rev-parse", "HEAD").strip()] = f"https://github.com/{REPOSITORY}/pull/{number}"
        self.github.write_text(json.dumps(state))


def _tenants(project: Path, tenants: dict[str, str], ca_bundle: Path) -> str:
    """idamconf.yaml with nle and live as the emulated tenants (devl gone): what the pipeline plans and applies."""
    text = project.read_text()
    start, end = text.index("  devl:\n"), text.index("    # In live, fewer")
    # the tenant the seed makes (examples/emulator/directory.yaml): validate checks identifier URIs against it
    # served over TLS with the emulator's CA: the example's client secret goes to the emulator's Key Vault, which
    # Key Vault's clients reach over https only
    served = "".join(f"  {name}:\n    graphUrl: {url}\n    credential: emulator\n    tenantSize: none\n"
                     f"    caBundle: {ca_bundle}\n"
                     f"    tenantId: {SEEDED_TENANT}\n    verifiedDomains: [contoso.com]\n"
                     for name, url in tenants.items())
    # One owner is an error in live here: a rule lint checks and validate does not.
    return text[:start] + served + text[end:].replace("      reviewers.two: error\n",
                                                      "      reviewers.two: error\n      owners.two: error\n")


def _shim(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pull-requests")
    tls = ensure(tmp / "tls")
    with serving(_seeded(tmp / "nle.db"), tls=tls) as nle, serving(_seeded(tmp / "live.db"), tls=tls) as live:
        made = World(tmp, {"nle": nle.base_url, "live": live.base_url}, tls.ca_bundle)
        for environment in ("nle", "live"):  # main, as the pipeline applied it
            applied = idamconf("apply", "-C", str(made.author / "examples"), "-e", environment, "--auto-approve")
            assert applied.code == 0, applied.err
        yield made


def _seeded(state: Path) -> Store:
    store = Store(state)
    seed_file(store, ROOT / "examples" / "emulator" / "directory.yaml")
    return store


def succeeded(jobs: dict, *names: str) -> None:
    for name in names:
        assert jobs[name].result == "success", (name, [(step, code, out[-2000:], err[-2000:])
                                                       for step, code, out, err in jobs[name].log if code])


def caches(jobs: dict) -> dict[str, list]:
    """What each job saved to or restored from the Actions cache (runner.Caches: scoped by ref as GitHub does)."""
    return {name: run.caches for name, run in jobs.items() if run.caches}


def only_comment(world: World, number: int) -> str:
    comments = world.comments(number)
    assert len(comments) == 1, [c["body"][:80] for c in comments]
    body = comments[0]["body"]
    assert body.startswith("<!-- idamconf-plan -->\n") and len(body) < LIMIT
    return body


DEMAND = PULL_REQUEST_DEMAND.replace("owners: [dave.finance@contoso.com, bob.ops@contoso.com]",
                                     "owners: [dave.finance@contoso.com]\nenvironments: [nle, live]")  # 1 owner


def portal_edit(tenant_url: str, name: str, body: dict, ca_bundle: Path) -> None:
    import ssl

    import httpx

    with httpx.Client(base_url=tenant_url + "/", headers={"Authorization": "Bearer portal"}, trust_env=False,
                      verify=ssl.create_default_context(cafile=str(ca_bundle))) as web:
        found = web.get(f"applications(uniqueName='{name}')").json()
        assert web.patch(f"applications/{found['id']}", json=body).status_code == 204


def a_new_application_gets_one_comment_that_follows_every_push(world):
    nle_url = _url(world, "nle")
    git(world.author, "checkout", "-q", "-b", "demand/crm")
    (world.author / "examples" / "applications" / "crm.yaml").write_text(DEMAND)
    world.commit("Demand: CRM", "demand/crm")
    portal_edit(nle_url, "payments-api", {"displayName": "Payments (edited in the portal)"}, world.ca_bundle)
    jobs = world.pull_request(1, "demand/crm")
    assert jobs["check"].result == "failure"  # lint: one owner is an error in live ...
    succeeded(jobs, "plan", "comment")  # ... and the plans still run, for the comment
    assert caches(jobs) == {}  # main has saved no validated files yet, and a pull request saves none
    [(category, ref, results)] = jobs["check"].uploads  # lint's SARIF, for code scanning's pull-request check
    assert (category, ref) == ("idamconf-lint", "refs/pull/1/merge") and "owners.two" in results
    body = only_comment(world, 1)
    assert body.splitlines()[1] == "### idamconf plan for `nle`, `live` (eucs-idam)"
    findings, nle, live = body.index("#### Policy findings"), body.index("### `nle`"), body.index("### `live`")
    assert findings < nle < live
    assert "| error | `owners.two` | `examples/applications/crm.yaml:5:9` |" in body[findings:nle]
    # The plan reads only what the pull request's files need (plan --changed-since): the portal's edit of another
    # application is the full plan's (at merge, and the drift schedule's), and the comment says so.
    assert "**Plan: 9 to add, 0 to change, 0 to destroy.**" in body[nle:live] and "payments-api" not in body
    assert "Planned only the 1 application\\(s\\) whose files changed since origin/main: drift anywhere else in " \
        "the tenant is left to the full plan" in body[nle:live]
    assert "**Plan: 9 to add, 0 to change, 0 to destroy.**" in body[live:]
    assert "No changes outside idamconf since the configuration was last applied" in body[live:]

    # A push that breaks the file: the same comment, now saying what is broken and nothing else.
    (world.author / "examples" / "applications" / "crm.yaml").write_text(DEMAND.replace("displayName: Customer",
                                                                                         "displayNme: Customer"))
    world.commit("Oops", "demand/crm")
    jobs = world.pull_request(1, "demand/crm")
    assert jobs["check"].result == "failure" and jobs["plan"].result == "skipped"
    succeeded(jobs, "comment")
    broken = only_comment(world, 1)
    assert world.comments(1)[0]["edits"] == 1
    assert "#### Validation errors" in broken and "unknown key 'displayNme'" in broken
    assert "**Plan:" not in broken and "**No plan for `nle`:** not planned" in broken
    annotations = [out for step, _, out, _ in jobs["check"].log if step == "Lint"][0]  # each problem once:
    assert "::error file=examples/applications/crm.yaml,line=3,col=1,title=idamconf validate%3A configuration::" \
        in annotations  # lint's findings include validate's, and validate's own step annotates nothing
    assert "::error" not in [out for step, _, out, _ in jobs["check"].log if step == "Validate"][0]

    (world.author / "examples" / "applications" / "crm.yaml").write_text(DEMAND)  # fixed, for the merge
    world.commit("Fixed", "demand/crm")


def _url(world: World, environment: str) -> str:
    text = (world.author / "examples" / "idamconf.yaml").read_text()
    block = text[text.index(f"  {environment}:\n"):]
    return block.split("graphUrl: ", 1)[1].split("\n", 1)[0]


def merged_each_environment_is_planned_shown_and_applied(world):
    before = git(world.author, "rev-parse", "main").strip()
    git(world.author, "checkout", "-q", "main")
    git(world.author, "merge", "-q", "--ff-only", "demand/crm")
    git(world.author, "push", "-q", "origin", "main")
    world.merged(1)
    jobs = world.push_to_main(before)
    succeeded(jobs, "scope", "plan-nle", "apply-nle", "plan-live", "apply-live")
    merged = git(world.author, "rev-parse", "main").strip()  # validate's files, saved for pull requests' plans
    assert caches(jobs) == {"scope": [("saved", f"idamconf-files-{merged}", ["application-files"])]}
    assert jobs["plan-devl"].result == jobs["apply-devl"].result == "skipped"  # not one of this repository's
    # main's analysis, under the pull requests' category: what code scanning shows their alerts against (the merged
    # application's one owner is main's now, so a later pull request is not blamed for it)
    [(category, ref, results)] = jobs["code-scanning"].uploads
    assert (category, ref) == ("idamconf-lint", "refs/heads/main") and "owners.two" in results
    order = list(jobs)  # in the order they ran
    assert order.index("apply-nle") < order.index("plan-live") < order.index("apply-live")
    assert jobs["plan-live"].summaries[0].startswith("<!-- idamconf-plan -->\n### idamconf plan for `live`")
    live_plan, live_apply = jobs["plan-live"].summaries, jobs["apply-live"].summaries[0]
    assert "**Plan: 9 to add, 0 to change, 0 to destroy.**" in live_plan[0]
    assert f"the idamconf comment of https://github.com/{REPOSITORY}/pull/1" in live_plan[-1]
    assert "Apply complete: 9 added, 0 changed, 0 destroyed; 0 failed." in live_apply
    assert "| `app.crm` |" in live_apply  # its client id, for the team that asked for it
    nle_apply = jobs["apply-nle"].summaries[0]
    assert "Apply complete: 9 added, 1 changed, 0 destroyed; 0 failed." in nle_apply  # the drift put back


def a_rename_and_a_deletion_are_marked_first(world):
    git(world.author, "checkout", "-q", "-b", "tidy")
    blog = world.author / "examples" / "applications" / "wordpress.yaml"
    blog.write_text(blog.read_text().replace("name: wordpress", "name: blog"))
    (world.author / "examples" / "applications" / "payments-api.yaml").unlink()
    world.commit("Rename the blog, retire payments", "tidy")
    jobs = world.pull_request(2, "tidy")
    succeeded(jobs, "plan", "comment")  # (check fails: crm's one owner is still lint's error in live)
    merged = git(world.origin, "rev-parse", "main").strip()  # each plan restored main's validated files, for this code
    assert caches(jobs) == {"plan": [("restored", f"idamconf-files-{merged}", ["application-files"])] * 2}
    assert known_files.load(world.runner.work / f"run-{world.runner.runs}" / "plan-0" / "examples") is not None
    body = only_comment(world, 2)
    live = body[body.index("### `live`"):]
    deletions = live[live.index("#### Deletions and replacements"):live.index("**This change's own changes:**")]
    assert deletions.index("| ♻️ | `app.wordpress` | forces replacement by app.blog") < \
        deletions.index("| 🗑️ | `app.payments-api` | destroy |")
    assert "lost: the client id" in deletions and "renamedFrom: wordpress" in deletions


def the_jobs_files_a_pull_request_commits_are_never_taken_for_theirs(world):
    """The jobs write files of their own -- each environment's plan, lint's SARIF, the comment. A pull request
    commits what it likes beside the configuration: had the jobs kept those files in the checkout (as until
    session 51), its `plans/live.json` ("No changes") travelled in the nle job's artifact and was unpacked over
    live's own plan in the comment, its `lint.sarif/` was uploaded as lint's analysis, and its `comment.md/` made
    the comment fail to be written -- leaving the previous push's up, as if this push's. They are kept in the
    runner's temporary directory, outside the checkout."""
    forged = {"plan": {"project": "eucs-idam", "environment": "live", "tenant": "t", "changes": []}}
    (world.author / "plans").mkdir()
    for environment in ("nle", "live"):
        forged["plan"]["environment"] = environment
        (world.author / "plans" / f"{environment}.json").write_text(json.dumps(forged))
    (world.author / "lint.sarif").mkdir()
    (world.author / "lint.sarif" / "clean.sarif").write_text(json.dumps(
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "idamconf"}}, "results": []}]}))
    (world.author / "comment.md").mkdir()
    (world.author / "comment.md" / "README").write_text("a directory where the comment job wrote its file\n")
    (world.author / "examples" / "applications" / "orders-api.yaml").unlink()  # a change of this push's own
    head = world.commit("Retire the orders API too", "tidy")
    jobs = world.pull_request(2, "tidy")
    succeeded(jobs, "plan", "comment")
    body = only_comment(world, 2)
    assert f"Commit `{head[:12]}`" in body  # this push's comment, not the last one's
    assert "**No changes.**" not in body and "not read" not in body
    for environment in ("nle", "live"):
        shown = body[body.index(f"### `{environment}`"):]
        assert "| 🗑️ | `app.orders-api` | destroy |" in shown and "| 🗑️ | `app.payments-api` | destroy |" in shown
    [(category, ref, results)] = jobs["check"].uploads  # lint's own analysis, and only it
    assert "owners.two" in results


def a_cache_the_pull_requests_own_runs_saved_is_not_used(world):
    """GitHub restores a cache saved under the pull request's own ref before its base branch's. A push of this pull
    request that edited the workflow (its plan job runs the pull request's steps) could save validated files of its
    own there, then be force-pushed away: the next pushes' plans, with the workflow as reviewed, would restore them
    as main's. The plan job asks GitHub whether the pull request's ref holds any, and if it does (or that cannot be
    told) removes what was restored: the plan reads every file, and the job's log says why."""
    base = git(world.origin, "rev-parse", "main").strip()
    planted = world.runner.work / "planted"
    shutil.copytree(world.runner.work / f"run-{world.runner.runs}" / "plan-0" / "examples" / ".idamconf" / "cache",
                    planted / "examples" / ".idamconf" / "cache")  # validated files this code reads...
    (planted / "examples" / ".idamconf" / "cache" / "planted").write_text("by the pull request's own run\n")
    world.runner.caches.save("refs/pull/2/merge", "examples/.idamconf/cache", f"idamconf-files-{base}", planted)
    jobs = world.pull_request(2, "tidy")
    succeeded(jobs, "plan", "comment")
    # ... restored, as GitHub restores them (the pull request's ref first) ...
    assert caches(jobs) == {"plan": [("restored", f"idamconf-files-{base}", ["application-files", "planted"])] * 2}
    run = world.runner.work / f"run-{world.runner.runs}"
    for job in ("plan-0", "plan-1"):  # ... and not used
        assert not (run / job / "examples" / ".idamconf" / "cache").exists()
    said = "".join(out for step, code, out, err in jobs["plan"].log)
    assert said.count("::warning::Validated files saved by this pull request's own runs are not used") == 2
    body = only_comment(world, 2)
    assert "| 🗑️ | `app.orders-api` | destroy |" in body  # the plan, made from the files


def test_a_demand_request_from_its_pull_request_to_merge_then_a_rename_and_a_deletion(world):
    """One story, in order -- each step starts from the repository and tenants the one before left (so it is one
    test: pytest-xdist may run the tests of a module in different processes, each with its own `world`)."""
    a_new_application_gets_one_comment_that_follows_every_push(world)
    merged_each_environment_is_planned_shown_and_applied(world)
    a_rename_and_a_deletion_are_marked_first(world)
    the_jobs_files_a_pull_request_commits_are_never_taken_for_theirs(world)
    a_cache_the_pull_requests_own_runs_saved_is_not_used(world)
