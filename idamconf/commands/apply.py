from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ..apply import apply_plan
from ..plan.model import Action
from ..plan.render_human import render_plan
from .session import fresh_plan, use_colour

VERB_SYMBOL = {"created": "+", "added": "+", "updated": "~", "disabled": "~", "removed": "-", "destroyed": "-"}


def run(config_dir: Path, env: str | None, auto_approve: bool, allow_delete: bool, colour: bool | None) -> int:
    colour = use_colour(colour)

    async def then(client, plan, target):
        print(render_plan(plan, f"{target.environment} — {target.description}", colour), end="")
        if plan.empty:
            return 0
        if plan.deletions and not allow_delete:
            return _refuse_deletions(plan)
        if not auto_approve and not _confirmed():
            return 1
        print()
        outcome = await apply_plan(client, plan, _progress)
        return _report(outcome)

    return asyncio.run(fresh_plan(config_dir, env, then))


def _refuse_deletions(plan) -> int:
    print("\nerror: this plan deletes, and deletions need --allow-delete. Nothing was changed.", file=sys.stderr)
    for change in plan.deletions:
        print(f"  - {change.address}", file=sys.stderr)
    print("fix: check that the deletions are intended, then run apply again with --allow-delete.", file=sys.stderr)
    return 1


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print("\nerror: apply needs confirmation and there is no terminal to ask. Nothing was changed.\n"
              "fix: review the plan above, then run apply with --auto-approve (as pipelines do).", file=sys.stderr)
        return False
    answer = input("\nDo you want to perform these actions? Only 'yes' will be accepted: ")
    if answer.strip() != "yes":
        print("Apply cancelled. Nothing was changed.")
        return False
    return True


def _progress(change, verb: str) -> None:
    print(f"  {VERB_SYMBOL.get(verb, '~')} {change.address}: {verb}", flush=True)


def _report(outcome) -> int:
    for change, message in outcome.failed:
        print(f"error: {change.address}: {message}", file=sys.stderr)
    for change in outcome.skipped:
        print(f"skipped: {change.address}: an earlier step for its application failed", file=sys.stderr)
    counts = (outcome.count(Action.CREATE), outcome.count(Action.UPDATE), outcome.count(Action.DELETE))
    if outcome.failed:
        print(f"\nApply incomplete: {counts[0]} added, {counts[1]} changed, {counts[2]} destroyed; "
              f"{len(outcome.failed)} failed. What was done stays done: fix the cause and run apply again.",
              file=sys.stderr)
        return 1
    print(f"\nApply complete: {counts[0]} added, {counts[1]} changed, {counts[2]} destroyed.")
    return 0
