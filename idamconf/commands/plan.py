from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from ..escape import json_dumps
from ..plan import saved, signing
from ..plan.render_human import render_plan
from ..plan.render_markdown import render_markdown
from .base import base_at, base_beside
from .changed import commit_of, kept_files, narrowed_to, validated_files
from ..colour import use_colour
from . import outputs
from .session import run_async, surveyed


def run(config_dir: Path, env: str | None, detailed_exitcode: bool, colour: bool | None, out: Path | None,
        output: str, changed_since: str | None, timeout: float | None, rebind: bool, base_ref: str | None) -> int:
    only, earlier, focus = narrowed_to(config_dir, changed_since) if changed_since else (None, None, None)
    if out is not None:
        signing.check_key()
        outputs.ready(out, "--out")
    # what validate found (config/known_files.py): a pull request's plan needs git, a plan of the whole does not; a
    # pull request's plan of every application takes none of them (it plans each: config/involved.Focus), but says
    # as any other if git tracks them
    known = kept_files(config_dir) if changed_since else validated_files(config_dir)
    known = None if changed_since and only is None else known
    base = _base(config_dir, base_ref, changed_since, only, known) if base_ref else None  # drift, apart

    async def then(client, survey):
        apart = only is not None and output == "human"  # the narrowing said on stderr, not among its warnings
        shown = render(survey, output, use_colour(colour)) if apart else None
        if only is not None:  # said in every other format, the pull request's comment included, and saved
            survey.plan = replace(survey.plan, warnings=(*survey.plan.warnings, narrowed(only, changed_since)))
        if out is not None:  # before anything is shown: a plan shown reads as made and saved
            with outputs.writing(out, "--out"):
                saved.save(out, survey.plan, survey.live, survey.digest, only, earlier)
        print(shown if apart else render(survey, output, use_colour(colour)), end="")
        if apart:
            print(narrowed(only, changed_since), file=sys.stderr)
        return survey.plan

    plan = run_async(surveyed(config_dir, env, then, only, timeout, rebind, base,
                              earlier=earlier, known=known, focus=focus))
    return 2 if detailed_exitcode and not plan.empty else 0


def _base(config_dir: Path, ref: str, changed_since: str | None, only: set[str] | None, known):
    """`(configuration) -> plan/drift.Base | None`: the configuration at `ref` (commands/base.py), read whole but
    for a pull request's plan of the changes since that same commit. A pull request's plan reads it from the files
    alone: which of its changes are its own is what it shows (config/involved.Focus)."""
    commit = commit_of(Path(config_dir).resolve(), ref, "--base")
    if only is not None and commit == commit_of(Path(config_dir).resolve(), changed_since):
        return base_beside(config_dir, ref, commit)
    kept = known and not changed_since and kept_files(config_dir)  # (its own: each entry is given once)
    found = base_at(config_dir, ref, commit, kept or None)
    return found and (lambda configuration: found)


def narrowed(only: set[str], ref: str) -> str:
    return (f"Planned only the {len(only)} application(s) whose files changed since {ref}: drift anywhere else in "
            "the tenant is left to the full plan (plan without --changed-since).")


def render(survey, output: str, colour: bool) -> str:
    if output == "json":
        return json_dumps(saved.plan_to_dict(survey.plan), indent=2) + "\n"
    if output == "markdown":
        return render_markdown(survey.plan, survey.where, survey.findings())
    return render_plan(survey.plan, survey.where, colour)
