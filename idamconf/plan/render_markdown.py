"""The plan as a pull-request comment: summary, a table of changes, details per change, the policy findings, and a
Mermaid diagram of what the plan touches (application -> roles -> access packages -> approvers and reviewers)."""

from __future__ import annotations

import json
import re

from .model import Action, Change, Plan
from .render_human import summary

MARKER = "<!-- idamconf-plan -->"  # lets a pipeline find and update its one comment
_ICONS = {Action.CREATE: "➕", Action.UPDATE: "✏️", Action.DELETE: "🗑️"}


def render_markdown(plan: Plan, target: str, findings: list = ()) -> str:
    lines = [MARKER, f"### idamconf plan for `{plan.environment}` ({plan.project})", "", f"Target: {target}", ""]
    if plan.empty:
        lines += ["**No changes.** The tenant matches the configuration.", ""]
    else:
        lines += [f"**{summary(plan)}**", "", "| | change | action |", "|---|---|---|"]
        lines += [f"| {_ICONS[c.action]} | `{_cell(c.address)}` | {_action(c)} |" for c in plan.pending]
        lines += ["", "<details><summary>Details of every change</summary>", ""]
        for change in plan.pending:
            lines += _details(change)
        lines += ["</details>", ""]
    lines += _findings(findings)
    diagram = mermaid(plan)
    if diagram:
        lines += ["#### What this plan touches", "", "```mermaid", diagram, "```", ""]
    return "\n".join(lines)


def render_apply_markdown(plan: Plan, outcome) -> str:
    """apply's report as a comment for the merged pull request: what was done, what failed and why."""
    lines = [MARKER.replace("plan", "apply"), f"### idamconf apply to `{plan.environment}` ({plan.project})", ""]
    if outcome is None:
        return "\n".join(lines + ["**No changes.** The tenant matched the configuration.", ""])
    done = [c for c in outcome.done if c.counted]
    verdict = "Apply incomplete" if outcome.failed else "Apply complete"
    lines += [f"**{verdict}: {sum(c.action is Action.CREATE for c in done)} added, "
              f"{sum(c.action is Action.UPDATE for c in done)} changed, "
              f"{sum(c.action is Action.DELETE for c in done)} destroyed; {len(outcome.failed)} failed.**", ""]
    if outcome.failed:
        lines += ["| failed | error |", "|---|---|"]
        lines += [f"| `{_cell(c.address)}` | {_cell(message)} |" for c, message in outcome.failed]
        lines += ["", "What was done stays done: fix the cause and run apply again.", ""]
    if done:
        lines += ["<details><summary>Done</summary>", ""]
        lines += [f"- {_ICONS[c.action]} `{c.address}` ({c.action.value})" for c in done] + ["", "</details>", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Table cells end at "|", even inside code spans: role values may contain one."""
    return text.replace("|", "\\|")


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
    return [f"<details><summary><code>{change.address}</code> ({_action(change)})</summary>", "", "```diff",
            *body, "```", "", "</details>", ""]


def _findings(findings) -> list[str]:
    if not findings:
        return ["#### Policy findings", "", "None: the configuration follows the organisation's rules.", ""]
    lines = ["#### Policy findings", "", "| severity | rule | where | finding |", "|---|---|---|---|"]
    for finding in findings:
        text = f"{finding.summary} (fix: {finding.fix})".replace("|", "\\|")
        lines.append(f"| {finding.severity} | `{finding.rule}` | `{_cell(finding.location)}` | {text} |")
    return lines + [""]


def mermaid(plan: Plan) -> str:
    """Applications, roles, packages and people the pending changes touch, as a left-to-right graph."""
    edges: dict[str, None] = {}
    labels: dict[str, str] = {}
    for change in plan.pending:
        if not change.application:
            continue
        app = _node(labels, f"app.{change.application}", change.application)
        if ".role." not in change.address:
            edges.setdefault(f"{app}", None)
            continue
        value = change.address.split(".role.", 1)[1].split(".access_package")[0]
        role = _node(labels, f"app.{change.application}.role.{value}", value)
        edges[f"{app} --> {role}"] = None
        if change.kind in ("access_package", "policy", "role_scope"):
            _package_edges(edges, labels, change, role)
    if not labels:
        return ""
    nodes = [f'  {node}["{label}"]' for node, label in labels.items()]
    return "\n".join(["graph LR", *nodes, *(f"  {edge}" for edge in edges if "-->" in edge)])


def _package_edges(edges: dict, labels: dict, change: Change, role: str) -> None:
    package_address = change.address.split(".access_package")[0] + ".access_package"
    state = change.after or change.before or {}
    name = state.get("displayName") if change.kind == "access_package" else None
    package = _node(labels, package_address, name or labels.get(_id(package_address), "access package"))
    edges[f"{role} --> {package}"] = None
    if change.kind != "policy":
        return
    review = state.get("review") or {}
    for person in state.get("approvers", []):
        edges[f"{package} -- approves --> {_node(labels, 'person.' + person, person)}"] = None
    for person in review.get("reviewers", []):
        edges[f"{package} -- reviews {review.get('schedule', '')} --> {_node(labels, 'person.' + person, person)}"] = None


def _node(labels: dict, key: str, label: str) -> str:
    node = _id(key)
    if labels.get(node) in (None, "access package"):
        labels[node] = label.replace('"', "'")
    return node


def _id(key: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9]", "_", key)
