from __future__ import annotations

from dataclasses import replace

import sys
from pathlib import Path

from ..escape import json_dumps, terminal
from ..plan import saved, signing
from ..plan.model import Action
from ..plan.removals import disabled_roles, removing_access
from ..plan.render_human import deletion_lines
from ..plan.render_markdown import render_apply_markdown
from .apply_progress import Progress, expected_writes, interruptible
from ..saml.idp_metadata import handover_lines
from .plan import render
from ..colour import use_colour
from .session import run_async, surveyed

LOSES = {"role": "disable: whoever holds the role loses it", "scope": "disable: clients granted the scope lose it",
         "delegated_consent": "fewer scopes consented"}


def run(config_dir: Path, env: str | None, auto_approve: bool, allow_delete: bool, colour: bool | None,
        plan_file: Path | None, output: str, timeout: float | None, rebind: bool, lock_wait: float) -> int:
    colour = use_colour(colour)
    document = saved.load(plan_file) if plan_file else None
    if document is not None and env is not None and env != document["plan"]["environment"]:
        made_for, asked = terminal(str(document["plan"]["environment"])), terminal(env)  # (a file's, a user's)
        print(f"Saved plan was made for environment '{made_for}', not '{asked}'. Run plan again for {asked}.\n"
              "Nothing was changed.", file=sys.stderr)
        return 1
    env = env or (document["plan"]["environment"] if document else None)
    quiet = output != "human"  # json and markdown print one report at the end, no progress

    async def then(client, survey):
        from ..workflow import tenant_of  # the Graph stack: imported while the configuration was read

        plan = survey.plan  # always the plan computed now: a saved plan is only compared with it
        if document is not None:
            stale = saved.staleness(document, survey.target.environment, tenant_of(survey.target), survey.digest,
                                    survey.live, plan)
            if stale:
                print("\n".join(map(terminal, stale)) + "\nNothing was changed.", file=sys.stderr)
                return 1
            if "signature" in document and not quiet:
                print(f"Saved plan signed, signature verified; made by {terminal(signing.describe(document))}.")
        if not quiet:
            print(render(survey, "human", colour), end="")
        if plan.empty and not survey.rebind:  # (rebinding with nothing to change still takes the lease, which binds)
            return _emit(output, plan, None) if quiet else 0
        removing = removing_access(plan)
        if removing and not allow_delete:
            return _refused(output, plan, "deletions and disabled roles need --allow-delete") or \
                _refuse_removals(plan, removing)
        if not auto_approve and not _confirmed():
            return _refused(output, plan, "not confirmed (use --auto-approve in pipelines)") or 1
        if not quiet:
            print()
        return await _under_lease(client, survey, plan, output, lock_wait)

    only = set(document["applications"]) if document and document.get("applications") is not None else None
    earlier = frozenset(document["earlier_packages"]) if only and document.get("earlier_packages") is not None \
        else None
    return run_async(surveyed(config_dir, env, then, only, timeout, rebind, write=True, earlier=earlier))


async def _under_lease(client, survey, shown, output: str, lock_wait: float) -> int:
    """Hold the project's lease (record/lease.py), plan again under it, and apply only if that plan is the one
    shown (and confirmed, or saved): another apply may have run between the two."""
    from ..apply import apply_plan
    from ..record import Lease, LeaseHeld, held
    from ..workflow import ownership

    quiet = output != "human"
    lease = Lease(client, survey.configuration.project, survey.home, survey.rebind,
                  settle=0.05 if survey.target.embedded else 2.0)  # see record/lease.py
    try:
        async with held(lease, lock_wait, say=lambda text: print(terminal(text), file=sys.stderr)):
            plan, live = await survey.again()
            moved = saved.differences(shown, plan)
            if moved:
                print(f"The tenant changed after the plan was made ({terminal(', '.join(moved[:10]))}): another apply ran "
                      "meanwhile, or someone changed it. Nothing was changed: run apply again.", file=sys.stderr)
                return _refused(output, shown, "the tenant changed after the plan was made") or 1
            plan = replace(plan, warnings=shown.warnings)  # the reports say what the plan shown said
            client.ownership = ownership(survey.configuration, survey.target.environment, live)
            changes = [change for change in plan.changes if change.action is not Action.NOOP]
            progress = Progress(sum(change.counted for change in changes), budget=client.budget,
                                writes=sum(map(expected_writes, changes)))
            with interruptible(client) as interrupted:
                outcome = await apply_plan(client, plan, (lambda change, verb: None) if quiet else progress,
                                           survey.root, survey.vaults)
            if not quiet:
                progress.finish()
    except LeaseHeld as busy:
        print(f"error: {terminal(str(busy))}", file=sys.stderr)
        return _refused(output, shown, "another apply is running") or 1
    code = _emit(output, plan, outcome) if quiet else _report(plan, outcome)
    if interrupted:
        print("Apply was interrupted: what was done stays done. Apply again to resume: it plans from the tenant as "
              "it is now and makes the rest.", file=sys.stderr)
    return code or (1 if interrupted else 0)


def _refused(output: str, plan, reason: str) -> int:
    """With --format json, a refusal is a report too (stdout), besides the message on stderr. Returns 0 to let the
    caller go on to its human message."""
    if output == "json":
        print(json_dumps({"format_version": saved.FORMAT_VERSION, "project": plan.project,
                          "environment": plan.environment, "tenant": plan.tenant, "complete": False,
                          "refused": reason, **saved.deletions_first(plan),
                          "disabled": [c.address for c in disabled_roles(plan)]}, indent=2))
    return 0


def _refuse_removals(plan, removing) -> int:
    """Deletions first (replacements marked), then the roles left disabled."""
    print("\nerror: this plan takes access away (it deletes, or disables roles people hold), and that needs "
          "--allow-delete. Nothing was changed.", file=sys.stderr)
    print("\n".join(deletion_lines(plan)), file=sys.stderr)
    for change in removing:
        if change.action is not Action.DELETE:
            print(f"  ~ {terminal(change.address)}  ({LOSES[change.kind]})", file=sys.stderr)
    print("fix: check that these are intended, then run apply again with --allow-delete.", file=sys.stderr)
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


def _counts(outcome) -> tuple[int, int, int]:
    return outcome.count(Action.CREATE), outcome.count(Action.UPDATE), outcome.count(Action.DELETE)


def _report(plan, outcome) -> int:
    if plan.deletions:  # first, with what became of each
        print("\nDeletions and replacements:\n" + "\n".join(deletion_lines(plan, outcome=outcome)))
    for change, message in outcome.failed:
        print(f"error: {terminal(change.address)}: {terminal(message)}", file=sys.stderr)
    for change in outcome.skipped:
        print(f"skipped: {terminal(change.address)}: an earlier step for its application failed", file=sys.stderr)
    if outcome.created:
        print("\n" + "\n".join(created_lines(outcome)))
    if outcome.saml:  # saml/apply.py
        print("\n" + "\n".join(handover_lines(outcome.saml, terminal)))
    added, changed, destroyed = _counts(outcome)
    adopted = outcome.count(Action.ADOPT)
    added = f"{adopted} adopted, {added}" if adopted else added  # adoptions are said only when there are some
    if outcome.failed:
        print(f"\nApply incomplete: {added} added, {changed} changed, {destroyed} destroyed; "
              f"{len(outcome.failed)} failed. What was done stays done: fix the cause and run apply again.",
              file=sys.stderr)
        return 1
    print(f"\nApply complete: {added} added, {changed} changed, {destroyed} destroyed.")
    return 0


# What each created application's ids are called where people read them, and in apply's JSON report.
IDENTITIES = (("client id (appId)", "client_id", "appId"), ("object id", "object_id", "id"),
              ("service principal id", "service_principal_id", "servicePrincipalId"))


def created_lines(outcome) -> list[str]:
    """The ids of each application created: what the team that asked for it needs (the client id above all)."""
    lines = ["Applications created (give the client id to the team that asked for it):"]
    width = max(len(label) for label, _, _ in IDENTITIES)
    for address, ids in sorted(outcome.created.items()):
        lines.append(f"  + {terminal(address)}")
        lines += [f"      {label:<{width}}  {terminal(str(ids.get(key) or '(not created)'))}"  # (Graph's answer)
                  for label, _, key in IDENTITIES]
    return lines


def created_report(outcome) -> list[dict]:
    return [{"address": address, **{name: ids.get(key) for _, name, key in IDENTITIES}}
            for address, ids in sorted(outcome.created.items())]


def _emit(output: str, plan, outcome) -> int:
    if output == "markdown":
        print(render_apply_markdown(plan, outcome, created_report(outcome) if outcome else []), end="")
        return 0 if not (outcome and outcome.failed) else 1
    return _emit_json(plan, outcome)


def _emit_json(plan, outcome) -> int:
    """apply's report for other tools: what was done, what failed and why, what was skipped."""
    report = {"format_version": saved.FORMAT_VERSION, "project": plan.project, "environment": plan.environment,
              "tenant": plan.tenant, "complete": not (outcome and outcome.failed), **saved.deletions_first(plan)}
    if outcome is not None:
        added, changed, destroyed = _counts(outcome)
        report |= {"summary": {"adopted": outcome.count(Action.ADOPT), "added": added, "changed": changed,
                               "destroyed": destroyed, "failed": len(outcome.failed)},
                   "done": [{"address": c.address, "action": c.action.value} for c in outcome.done],
                   "failed": [{"address": c.address, "error": message} for c, message in outcome.failed],
                   "skipped": [c.address for c in outcome.skipped],
                   "created_applications": created_report(outcome), "saml_applications": outcome.saml}
    else:
        report["summary"] = {"adopted": 0, "added": 0, "changed": 0, "destroyed": 0, "failed": 0}  # the same keys
        report["created_applications"] = []
    print(json_dumps(report, indent=2))
    return 0 if report["complete"] else 1
