"""The plan as a pull-request comment: summary, deletions and replacements, a table of changes, details per change,
the policy findings, and a Mermaid diagram of what the plan touches (render_mermaid.py).

The comment's structure is idamconf's alone: every value from the configuration or the tenant (addresses, names,
people, messages, the target) is written through escape's Markdown functions for where it stands -- prose, code, an
HTML block, a fence, a Mermaid label -- so none can end a row, a block or a fence, open HTML, mention anyone, link
anywhere or repeat the marker. Deletions and replacements are listed before the table, outside any <details>: a
reviewer who opens nothing still sees every one.
"""

from __future__ import annotations

import json

from ..escape import md_code, md_fence, md_html, md_text
from .model import Action, Change, Plan
from .render_human import deletion_note, summary
from .render_mermaid import mermaid

MARKER = "<!-- idamconf-plan -->"  # lets a pipeline find and update its one comment
APPLY_MARKER = "<!-- idamconf-apply -->"
_ICONS = {Action.CREATE: "➕", Action.UPDATE: "✏️", Action.DELETE: "🗑️", Action.ADOPT: "🔁"}
_REPLACED = "♻️"


def render_markdown(plan: Plan, target: str, findings: list = ()) -> str:
    lines = [MARKER, f"### idamconf plan for {md_code(plan.environment)} ({md_text(plan.project)})", "",
             f"Target: {md_text(target)}", ""]
    if plan.empty:
        lines += ["**No changes.** The tenant matches the configuration.", ""]
    else:
        lines += [f"**{summary(plan)}**", "", *_deletions_first(plan), "| | change | action |", "|---|---|---|"]
        lines += [f"| {_ICONS[c.action]} | {md_code(c.address, table=True)} | {_action(c)} |" for c in plan.pending]
        lines += ["", "<details><summary>Details of every change</summary>", ""]
        for change in plan.pending:
            lines += _details(change)
        lines += ["</details>", ""]
    lines += _findings(findings)
    diagram = mermaid(plan)
    if diagram:
        lines += ["#### What this plan touches", "", *md_fence(diagram.splitlines(), "mermaid"), ""]
    return "\n".join(lines)


def render_apply_markdown(plan: Plan, outcome) -> str:
    """apply's report as a comment for the merged pull request: what was deleted, what failed and why, what was
    done."""
    lines = [APPLY_MARKER, f"### idamconf apply to {md_code(plan.environment)} ({md_text(plan.project)})", ""]
    if outcome is None:
        return "\n".join(lines + ["**No changes.** The tenant matched the configuration.", ""])
    done = [c for c in outcome.done if c.counted]
    verdict = "Apply incomplete" if outcome.failed else "Apply complete"
    adopted = sum(c.action is Action.ADOPT for c in done)
    lines += [f"**{verdict}: {f'{adopted} adopted, ' if adopted else ''}{sum(c.action is Action.CREATE for c in done)} added, "
              f"{sum(c.action is Action.UPDATE for c in done)} changed, "
              f"{sum(c.action is Action.DELETE for c in done)} destroyed; {len(outcome.failed)} failed.**", ""]
    lines += _deletions_first(plan, outcome)
    if outcome.failed:
        lines += ["| failed | error |", "|---|---|"]
        lines += [f"| {md_code(c.address, table=True)} | {md_text(message)} |" for c, message in outcome.failed]
        lines += ["", "What was done stays done: fix the cause and run apply again.", ""]
    if done:
        lines += ["<details><summary>Done</summary>", ""]
        lines += [f"- {_ICONS[c.action]} {md_code(c.address)} ({c.action.value})" for c in done]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def _deletions_first(plan: Plan, outcome=None) -> list[str]:
    """Every deletion and replacement, before the table and outside any <details>; with apply's outcome of each."""
    if not plan.deletions:
        return []
    head, rule = ("| | destroyed | how |", "|---|---|---|")
    if outcome is not None:
        head, rule = head + " outcome |", rule + "---|"
    warnings = [f"> **Warning:** {md_text(warning)}" for warning in plan.warnings]
    lines = [*[line for warning in warnings for line in (warning, "")], "#### Deletions and replacements", "",
             head, rule]
    for change in plan.deletions:
        icon = _REPLACED if change.address in plan.replacements else _ICONS[Action.DELETE]
        row = f"| {icon} | {md_code(change.address, table=True)} | {deletion_note(plan, change)} |"
        lines.append(row + (f" {outcome.result(change)} |" if outcome is not None else ""))
    return lines + [""]


def _action(change: Change) -> str:
    return "disable first" if change.reason else change.action.value


def _details(change: Change) -> list[str]:
    body = []
    if change.action is Action.CREATE:
        body = [f"+ {name} = {json.dumps(value, ensure_ascii=False)}" for name, value in (change.after or {}).items()]
    elif change.action is Action.DELETE:
        body = [f"- {name} = {json.dumps(value, ensure_ascii=False)}" for name, value in (change.before or {}).items()]
    else:
        for attribute in change.attributes:
            body += [f"- {attribute.path} = {json.dumps(attribute.before, ensure_ascii=False)}",
                     f"+ {attribute.path} = {json.dumps(attribute.after, ensure_ascii=False)}"]
    return [f"<details><summary>{md_html(change.address, code=True)} ({_action(change)})</summary>", "",
            *md_fence(body, "diff"), "", "</details>", ""]


def _findings(findings) -> list[str]:
    if not findings:
        return ["#### Policy findings", "", "None: the configuration follows the organisation's rules.", ""]
    lines = ["#### Policy findings", "", "| severity | rule | where | finding |", "|---|---|---|---|"]
    for finding in findings:
        text = md_text(f"{finding.summary} (fix: {finding.fix})")
        lines.append(f"| {finding.severity} | {md_code(finding.rule, table=True)} | "
                     f"{md_code(finding.location, table=True)} | {text} |")
    return lines + [""]
