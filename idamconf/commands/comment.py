"""`idamconf comment`: the one pull-request comment, from whatever the pull request's jobs left -- every outcome
updates it, so it is never the previous push's.

validate and lint run here (they need no tenant); each environment's plan job left, in `--plans DIR`, either its
saved plan (`<environment>.json`, from `plan --out`) or what it said when it failed (`<environment>.error`, its
stderr: a failed sign-in...); an environment with neither did not run (the configuration does not validate, or the
job was cancelled), and the comment says so. Written to stdout; exit 0 whatever it says, so that it is posted.

What the jobs left is read only where no commit can have put it: a file of `--plans` that git tracks -- a pull
request that commits `plans/live.json` beside the checkout's own `plans/` would otherwise have its comment show a
plan of its choosing -- is not read, and the comment says so for its environment (`_tracked`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import jsonread
from ..comment import Outcome, render_comment
from ..diagnostics import DiagnosticError, errors
from ..plan.saved import plan_from_dict
from .changed import git
from .lint import checked, redacted

_RUN = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]+)?/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/actions/runs/[0-9]+")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
# How deeply a plan job's file may nest: its deepest part is an attribute's value, a Graph object (under 10 levels).
# One far deeper, though parsed, failed the rendering (a RecursionError) with an 'unexpected' error.
DEEPEST = 64


def run(config_dir: Path, plans: Path, environments: list[str] | None, commit: str | None) -> int:
    configuration, problems, findings, secrets = checked(config_dir)
    known = list(configuration.environments) if configuration else []
    names = environments or sorted({path.stem for path in Path(plans).glob("*.json")} |
                                   {path.stem for path in Path(plans).glob("*.error")},
                                   key=lambda name: (known.index(name) if name in known else len(known), name))
    tracked = _tracked(Path(plans), names)
    outcomes = [_outcome(Path(plans), name, tracked) for name in names]
    project = configuration.project if configuration else next((o.plan.project for o in outcomes if o.plan), "")
    # validate's errors, which stop the plans: all of them when the configuration does not load; when it does, those
    # of no rule (until session 49 none, and the comment said "see validate's problems above" over nothing) -- a
    # rule's are lint's findings, graded, and listed once, there
    shown = [problem for problem in errors(problems) if configuration is None or not problem.rule]
    text = render_comment(project, outcomes, findings, shown, _links(commit))
    print(redacted(text, secrets), end="")
    return 0


def _tracked(plans: Path, names: list[str]) -> set[str]:
    """The files of `plans` (each environment's `.json` and `.error`, named in any case: a checkout on a file system
    that ignores case reads `NLE.json` as `nle.json`) that git tracks, casefolded: a commit made them, not a plan
    job. Asked of the repository the directory is in, as it is (a link followed); none where it is in none, or git
    cannot say (an engineer's directory outside any repository holds no pull request's files)."""
    candidates = [f"{name}{suffix}" for name in names for suffix in (".json", ".error")]
    try:
        listed = git(plans.resolve(), "ls-files", "-z", "--", *(f":(literal,icase){name}" for name in candidates))
    except DiagnosticError:  # not in a repository, or no git
        return set()
    return {name.casefold() for name in listed.split("\0") if name}


def _outcome(plans: Path, environment: str, tracked: set[str] = frozenset()) -> Outcome:
    saved, failed = plans / f"{environment}.json", plans / f"{environment}.error"
    committed = [name for name in (f"{environment}.json", f"{environment}.error") if name.casefold() in tracked]
    if committed:  # a pull request could have committed it: never shown as its environment's outcome (the
        # comment escapes what an error says: sections.failure)
        return Outcome(environment, error=f"not read: git tracks {committed[0]} in {plans}, "
                                          "so a commit could have written it, not the plan job; keep the plan "
                                          "jobs' files out of git and outside the checkout")
    if saved.is_file():
        try:
            document = jsonread.loads(saved.read_text(encoding="utf-8"))
            if not jsonread.shallow(document, DEEPEST):  # rendering it walks it recursively
                raise ValueError("nested too deeply")
            plan = plan_from_dict(document.get("plan", document))  # a saved plan, or plan --format json
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            return Outcome(environment, error=f"its saved plan could not be read: {type(error).__name__}")
        return Outcome(environment, plan, f"tenant {plan.tenant}")
    if failed.is_file():
        return Outcome(environment, error=failed.read_text(encoding="utf-8", errors="replace"))
    return Outcome(environment)


def _links(commit: str | None) -> str:
    """Where the run is, and so the full plans (its artifacts): from the runner's own variables."""
    server, repository, run_id = (os.environ.get(name, "") for name in
                                  ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    url = f"{server}/{repository}/actions/runs/{run_id}"
    parts = [f"Commit `{commit[:12]}`"] if commit and _COMMIT.fullmatch(commit) else []
    if _RUN.fullmatch(url):
        parts.append(f"[the run]({url}), whose artifacts hold each environment's full plan")
    return " · ".join(parts)
