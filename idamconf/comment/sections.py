"""The parts of the comment, each a list of Markdown lines. Every value from a file or the tenant is escaped for
where it stands (escape.md_*); deletions and replacements are listed outside any <details>."""

from __future__ import annotations

import json

from ..escape import md_code, md_fence, md_html, md_text, terminal
from ..lint.findings import weighed
from ..plan.model import DISABLE_FIRST, Action, Change, Plan
from ..plan.render_human import deletion_note, overwrites, summary
from ..plan.restore import said
from ..plan.secrets_written import hiding_secrets

ICONS = {Action.CREATE: "➕", Action.UPDATE: "✏️", Action.DELETE: "🗑️", Action.ADOPT: "🔁"}
REPLACED = "♻️"


def validation(problems) -> list[str]:
    """validate's problems: the plans could not be made."""
    if not problems:
        return []
    head = ["#### Validation errors", "", "The configuration does not validate, so nothing was planned: fix these "
            "first (`idamconf validate`).", "", "| where | problem | fix |", "|---|---|---|"]
    return head + [f"| {md_code(p.location or '-', table=True)} | {md_text(_inside(p.path) + p.summary)} | "
                   f"{md_text(p.fix)} |" for p in problems]


def findings(found) -> list[str]:
    if not found:
        return ["#### Policy findings", "", "None: the configuration follows the organisation's rules.", ""]
    lines = ["#### Policy findings", "", "| severity | rule | where | finding |", "|---|---|---|---|"]
    for finding in weighed(found):
        note = f" ({finding.note})" if finding.note else ""
        text = md_text(f"{_inside(finding.path)}{finding.summary}{note} (fix: {finding.fix})")
        lines.append(f"| {finding.severity} | {md_code(finding.rule, table=True)} | "
                     f"{md_code(finding.location, table=True)} | {text} |")
    return lines


FAILURE_LINES, FAILURE_LINE = 20, 500  # of a failed plan's message: the comment quotes its start (GitHub's limit)


def failure(environment: str, error: str) -> list[str]:
    """Why an environment has no plan: its job's message (a failed sign-in...), as it was printed -- escaped for a
    terminal again (a log reading the comment must find no workflow command in it), then fenced; its first lines,
    each cut to a length (a Graph error body can be long): the run has the whole."""
    said = [_cut(terminal(line)) for line in error.strip().splitlines()[:FAILURE_LINES]] or \
        ["(no message: see the run)"]
    return [f"**No plan for {md_code(environment)}:** the plan failed.", "", *md_fence(said, "text"), ""]


def _cut(line: str) -> str:
    return line if len(line) <= FAILURE_LINE else f"{line[:FAILURE_LINE]}… ({len(line) - FAILURE_LINE} more characters)"


def warnings(plan: Plan) -> list[str]:
    """The plan's warnings (record/history.py: deletions of applications never declared here), before anything of
    the plan: quoted, each whole (the comment keeps as many as fit, and counts the others)."""
    return [f"> **Warning:** {md_text(warning)}\n" for warning in plan.warnings]


def deletions(plan: Plan, outcome=None) -> list[str]:
    """Every deletion and replacement, before the table and outside any <details>; with apply's outcome of each."""
    if not plan.deletions:
        return []
    head, rule = ("| | destroyed | how |", "|---|---|---|")
    if outcome is not None:
        head, rule = head + " outcome |", rule + "---|"
    lines = ["#### Deletions and replacements", "", head, rule]
    for change in plan.deletions_listed:
        icon = REPLACED if change.address in plan.replacements else ICONS[Action.DELETE]
        row = f"| {icon} | {md_code(change.address, table=True)} | {deletion_note(plan, change, md_text)} |"
        lines.append(row + (f" {outcome.result(change)} |" if outcome is not None else ""))
    return lines + [""]


# What gives someone access, says who approves it, or lets something sign in as an application: the plan's kinds
# (schemas/plan.schema.json) of owners, API permissions and consents, app role assignments, pre-authorised clients,
# access packages' grants and policies, and credentials. Of an application the plan creates, its owners and its
# packages' policies and role scopes are part of making it (the table shows them); what reaches beyond it or signs
# in as it is listed as for any other (`access`).
ACCESS = frozenset({"owner", "service_principal_owner", "permission", "consent", "delegated_consent", "assignment",
                    "pre_authorized", "role_scope", "grant", "policy", "federated_credential", "certificate",
                    "secret"})
OF_ITS_MAKING = frozenset({"owner", "service_principal_owner", "role_scope", "policy"})
# And an application's or service principal's update of who may sign in, and where its tokens go (the plan's
# attribute paths): whoever can sign in once assignment is no longer required, a redirect URI, the audience.
ACCESS_ATTRIBUTES = frozenset({"appRoleAssignmentRequired", "accountEnabled", "signInAudience", "web.redirectUris",
                               "spa.redirectUris", "publicClient.redirectUris", "isFallbackPublicClient",
                               "web.implicitGrantSettings.enableAccessTokenIssuance",
                               "web.implicitGrantSettings.enableIdTokenIssuance", "api.knownClientApplications"})


def access(plan: Plan) -> list[str]:
    """Every change of `ACCESS` but a deletion (listed above them), every update of `ACCESS_ATTRIBUTES` and every
    adoption (an application that exists, another team's perhaps, managed from now on), before the table and outside
    any <details>, as deletions are: a table too long for the comment is cut to counts per
    application, and a consent, an owner or a federated credential added to an application that exists was then one
    in a count (review, session 51). Those of applications that exist first; an update names what it changes."""
    created = {c.application for c in plan.pending if c.kind == "application" and c.action is Action.CREATE}
    changes = sorted((c for c in plan.pending if c.kind in ACCESS and c.action is not Action.DELETE and c.counted
                      and not (c.application in created and c.kind in OF_ITS_MAKING)
                      or c.action is Action.UPDATE and ACCESS_ATTRIBUTES.intersection(a.path for a in c.attributes)
                      or c.action is Action.ADOPT),
                     key=lambda change: change.application in created)
    if not changes:
        return []
    return ["#### Access and credentials", "", "Who gets access, who approves it, and what can sign in as an "
            "application -- every such change, whatever else is left out of this comment:", "",
            "| | change | action |", "|---|---|---|", *[_access_row(change, plan) for change in changes], ""]


# What a created one trusts, where its address does not say: a federated credential's issuer and subject.
_TRUSTED = {"federated_credential": ("issuer", "subject")}


def _access_row(change: Change, plan: Plan) -> str:
    """A row of `access`: an update says which attributes it changes, a creation what it trusts (`_TRUSTED`)."""
    if change.action is Action.UPDATE:
        said = [attribute.path for attribute in change.attributes]
    else:
        said = [f"{name} {json.dumps((change.after or {}).get(name), ensure_ascii=False)}"
                for name in _TRUSTED.get(change.kind, ())]
    what = f"{action(change, plan)}: {md_text(', '.join(said))}" if said else action(change, plan)
    return f"| {ICONS[change.action]} | {md_code(change.address, table=True)} | {what} |"


def drift(plan: Plan) -> list[str]:
    """The changes that only undo changes made outside idamconf, apart from the pull request's own."""
    if plan.drift_base is None:
        return []
    base = md_text(plan.drift_base)
    if not plan.drift:
        return [f"No changes outside idamconf since the configuration was last applied (compared with {base}).", ""]
    return [f"#### Changed outside idamconf (drift)", "",
            f"The tenant differs from the configuration last applied ({base}) in {len(plan.drift)} place(s): "
            "changed in the portal or by another tool, or an apply that did not finish. Apply puts these back; "
            "they are not this change's.", ""]


def table(changes: list[Change], plan: Plan) -> list[str]:
    return ["| | change | action |", "|---|---|---|"] + [row(change, plan) for change in changes]


def row(change: Change, plan: Plan) -> str:
    return f"| {ICONS[change.action]} | {md_code(change.address, table=True)} | {action(change, plan)} |"


def said_of(change: Change, escaped=md_text) -> str:
    """A change's action in words: a step's reason if it has one (plan/model.py); the deleted item's id read from the
    tenant `escaped` for where it lands (a table cell; md_html in a <details> summary)."""
    if said(change) is not None:
        return said(change, escaped)
    return "disable first" if change.reason == DISABLE_FIRST else change.action.value


def action(change: Change, plan: Plan) -> str:
    said = said_of(change)
    paths = plan.drifted.get(change.address)
    return f"{said}; {overwrites(paths, md_text)}" if paths is not None else said


def by_application(plan: Plan) -> list[str]:
    """A plan too long for a row per change: a row per application (or catalog), with its counts."""
    counts: dict[str, dict] = {}
    for change in plan.pending:
        if not change.counted:
            continue
        parts = change.address.split(".")
        owner = ".".join(parts[:2]) if parts[0] == "app" else change.address
        tally = counts.setdefault(owner, {Action.ADOPT: 0, Action.CREATE: 0, Action.UPDATE: 0, Action.DELETE: 0,
                                          "drift": 0})
        tally[change.action] += 1
        tally["drift"] += change.address in plan.drift
    lines = [f"**{len(plan.pending)} changes, by application** (each change is in the full plan: the run's "
             "artifacts):", "", "| application | to add | to change | to destroy | of which drift |",
             "|---|---|---|---|---|"]
    return lines + [f"| {md_code(owner, table=True)} | {tally[Action.CREATE]} | {_changed(tally)} | "
                    f"{tally[Action.DELETE]} | {tally['drift']} |" for owner, tally in counts.items()]


def _changed(tally: dict) -> str:
    """An adoption is a change of an application that exists: counted with the changes, and said."""
    adopted = f" (adopted: {tally[Action.ADOPT]})" if tally[Action.ADOPT] else ""
    return f"{tally[Action.UPDATE] + tally[Action.ADOPT]}{adopted}"


def details(changes: list[Change], plan: Plan, title: str) -> list[str]:
    lines = [f"<details><summary>{title}</summary>", ""]
    for change in changes:
        lines += change_details(change, plan)
    return lines + ["</details>", ""]


def change_details(change: Change, plan: Plan) -> list[str]:
    change = hiding_secrets(change)  # a secret the tenant holds: never printed (plan/secrets_written.py)
    if change.action is Action.CREATE:
        body = [f"+ {name} = {json.dumps(value, ensure_ascii=False)}" for name, value in (change.after or {}).items()]
    elif change.action is Action.DELETE:
        body = [f"- {name} = {json.dumps(value, ensure_ascii=False)}" for name, value in (change.before or {}).items()]
    else:
        body = []
        for attribute in change.attributes:
            body += [f"- {attribute.path} = {json.dumps(attribute.before, ensure_ascii=False)}",
                     f"+ {attribute.path} = {json.dumps(attribute.after, ensure_ascii=False)}"]
    if not body:  # a restore or an adoption that changes no attribute: said in one line, not over an empty block
        return [f"{md_code(change.address)} ({said_of(change)}): no attribute to change.", ""]
    said = said_of(change, md_html)
    return [f"<details><summary>{md_html(change.address, code=True)} ({said})</summary>", "",
            *md_fence(body, "diff"), "", "</details>", ""]


def diagram(text: str) -> list[str]:
    return ["#### What this plan touches", "", *md_fence(text.splitlines(), "mermaid"), ""]


def _inside(path: str) -> str:
    return f"{path}: " if path else ""


__all__ = ["ACCESS", "ACCESS_ATTRIBUTES", "OF_ITS_MAKING", "access", "action", "by_application", "change_details",
           "deletions", "details", "diagram", "drift", "failure", "findings", "row", "summary", "table", "validation",
           "warnings", "weighed"]
