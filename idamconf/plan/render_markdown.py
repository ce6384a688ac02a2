"""The plan as a pull-request comment (one environment: comment/, which also writes the comment of several), and
apply's report as a comment for the merged pull request.

The comment's structure is idamconf's alone: every value from the configuration or the tenant (addresses, names,
people, messages, the target) is written through escape's Markdown functions for where it stands -- prose, code, an
HTML block, a fence, a Mermaid label -- so none can end a row, a block or a fence, open HTML, mention anyone, link
anywhere or repeat the marker. Deletions and replacements are listed before the table, outside any <details>: a
reviewer who opens nothing still sees every one.
"""

from __future__ import annotations

from ..comment import MARKER, Outcome, render_comment
from ..comment.sections import ICONS, deletions, warnings
from ..escape import md_code, md_text
from .model import Action, Plan

APPLY_MARKER = "<!-- idamconf-apply -->"

__all__ = ["APPLY_MARKER", "MARKER", "render_apply_markdown", "render_markdown"]


def render_markdown(plan: Plan, target: str, findings: list = ()) -> str:
    """The comment for one environment's plan: findings first, then the plan (comment/compose.py)."""
    return render_comment(plan.project, [Outcome(plan.environment, plan, target)], findings)


def render_apply_markdown(plan: Plan, outcome, created: list[dict] = ()) -> str:
    """apply's report as a comment for the merged pull request: what was deleted, what failed and why, the ids of
    the applications created (`created`: apply's JSON report of them), what was done."""
    lines = [APPLY_MARKER, f"### idamconf apply to {md_code(plan.environment)} ({md_text(plan.project)})", ""]
    if outcome is None:
        return "\n".join(lines + ["**No changes.** The tenant matched the configuration.", ""])
    done = [c for c in outcome.done if c.counted]
    verdict = "Apply incomplete" if outcome.failed else "Apply complete"
    adopted = sum(c.action is Action.ADOPT for c in done)
    added, changed = (sum(c.action is action for c in done) for action in (Action.CREATE, Action.UPDATE))
    lines += [f"**{verdict}: {f'{adopted} adopted, ' if adopted else ''}{added} added, {changed} changed, "
              f"{sum(c.action is Action.DELETE for c in done)} destroyed; {len(outcome.failed)} failed.**", ""]
    lines += warnings(plan) + deletions(plan, outcome)
    if created:
        lines += ["#### Applications created", "",
                  "| application | client id (appId) | object id | service principal id |", "|---|---|---|---|"]
        lines += [f"| {md_code(row['address'], table=True)} | {_id(row['client_id'])} | {_id(row['object_id'])} | "
                  f"{_id(row['service_principal_id'])} |" for row in created]
        lines.append("")
    lines += _saml_handover(getattr(outcome, "saml", None) or {})
    if outcome.failed:
        lines += ["| failed | error |", "|---|---|"]
        lines += [f"| {md_code(c.address, table=True)} | {md_text(message)} |" for c, message in outcome.failed]
        lines += ["", "What was done stays done: fix the cause and run apply again.", ""]
    if done:
        lines += ["<details><summary>Done</summary>", ""]
        lines += [f"- {ICONS[c.action]} {md_code(c.address)} ({c.action.value})" for c in done]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def _saml_handover(written: dict[str, dict]) -> list[str]:
    """What the terminal's report gives each SAML application's service provider (saml/idp_metadata.HANDOVER), as a
    table: after a merge nobody reads the pipeline's terminal."""
    from ..saml.idp_metadata import HANDOVER

    if not written:
        return []
    lines = ["#### SAML applications (give these to the service provider's team)", "",
             "| application | " + " | ".join(label for label, _ in HANDOVER) + " |", "|---" * (len(HANDOVER) + 1) + "|"]
    lines += ["| " + " | ".join([md_code(f"app.{name}", table=True)] + [md_code(str(facts.get(key) or "(none)"),
                                                                              table=True) for _, key in HANDOVER])
              + " |" for name, facts in sorted(written.items())]
    return lines + [""]


def _id(value) -> str:
    return md_code(value, table=True) if value else "(not created)"
