"""`idamconf drift`: what changed in the tenant outside idamconf -- the plan of the configuration as it is, every
change of which is drift (plan/drift.py), for a scheduled job on the branch that was applied. Exit 0 when the
tenant matches, 2 when it drifted, 1 on error; nothing is ever changed."""

from __future__ import annotations

import sys
from pathlib import Path

from ..comment import Outcome, render_comment
from ..escape import json_dumps, terminal
from ..plan import saved
from ..plan.drift import Base
from ..plan.render_human import render_plan
from ..colour import use_colour
from ..command_line import options
from .session import run_async, surveyed

DRIFT_MARKER = "<!-- idamconf-drift -->"  # lets a scheduled job find and update its one issue
BASE = "this configuration"


def run(config_dir: Path, env: str | None, output: str, colour: bool | None, timeout: float | None = None,
        rebind: bool = False) -> int:
    async def then(client, survey):
        print(_rendered(survey, output, use_colour(colour), config_dir), end="")
        return survey.plan

    from .changed import uncommitted

    changed = uncommitted(config_dir)
    if changed:  # drift is the tenant against the files as they are: edits not committed show as drift
        print(f"note: {len(changed)} file(s) of the configuration differ from git's HEAD (e.g. {terminal(changed[0])}): "
              "drift compares the tenant with the files as they are, so what they change shows as drift here. "
              "Commit them, or run drift on the branch that was applied.", file=sys.stderr)

    plan = run_async(surveyed(config_dir, env, then, None, timeout, rebind, base=lambda found: Base(found, BASE)))
    return 0 if plan.empty else 2


def _rendered(survey, output: str, colour: bool, config_dir: Path) -> str:
    plan = survey.plan
    if output == "json":
        return json_dumps(saved.plan_to_dict(plan), indent=2) + "\n"
    if output == "markdown":
        return render_comment(plan.project, [Outcome(plan.environment, plan, survey.where)], survey.findings(),
                              marker=DRIFT_MARKER, heading="idamconf drift in")
    name = terminal(plan.environment)
    verdict = (f"No drift: {name} matches the configuration." if plan.empty else
               f"Drift: {name} differs from the configuration in {len(plan.drift)} place(s). "
               f"`idamconf apply{terminal(options(config_dir, plan.environment))}` puts it back, or change the "
               "configuration to keep it.")
    return render_plan(plan, survey.where, colour) + verdict + "\n"
