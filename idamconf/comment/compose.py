"""The comment, whole and within GitHub's limit: parts in the order a reviewer reads them, room given in the order
they matter.

Order on the page: the marker, the title (and where the full plans are), validate's problems, lint's findings, then
each environment: its summary (or why it has no plan), its deletions and replacements, its changes of access and
credentials (sections.access), its drift apart, the table of its own changes, the details collapsed, the diagram.

Room is given first to what must never be lost -- validate's problems, the findings, each summary, every
deletion, then every change of access (an owner, a consent, a credential: in a table cut to counts per application
it was one in a count) -- then to the tables of changes (drift first), then to each environment's details, then to
diagrams: a 50-application pull request keeps its findings, its deletions and its tables, and loses its details and
its diagram, which the run's artifact holds. Each table cut says how many rows it left out. Sizes are counted in
UTF-8 bytes, more than GitHub's characters, so a comment that fits here fits there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..escape import md_code, md_text
from ..plan.model import Plan
from ..plan.render_mermaid import mermaid
from . import sections

MARKER = "<!-- idamconf-plan -->"  # lets a pipeline find and update its one comment
LIMIT = 65_536  # GitHub refuses a comment longer than this (characters)
BUDGET = 60_000  # bytes for the parts; the rest of the limit is kept for the notes that say what was left out
MERMAID_LIMIT = 50_000  # Mermaid's default maxTextSize: a longer diagram is not drawn, only an error
MOST_ROWS = 100  # of validate's problems, or of the findings, before "and N more"


@dataclass(frozen=True)
class Outcome:
    """One environment's result: its plan, or why there is none (`error`: what its plan job said; neither: it did
    not run, e.g. because the configuration does not validate)."""

    environment: str
    plan: Plan | None = None
    target: str = ""
    error: str | None = None


def render_comment(project: str, outcomes: list[Outcome], findings=(), problems=(), links: str = "",
                   budget: int = BUDGET, marker: str = MARKER, heading: str = "idamconf plan for") -> str:
    """The comment for `outcomes` (one per environment, in order), lint's `findings` and validate's `problems`.
    `links`: a line of idamconf's own saying where the run and its artifacts are ("" if unknown); `marker` and
    `heading`: the first lines' (idamconf drift writes an issue's body with its own)."""
    room = _Room(budget)
    head = _title(project, outcomes, marker, heading) + ([links, ""] if links else [])
    room.force(head)
    problems_part = _capped(sections.validation(problems), 6, room, "validate's problems", "run idamconf validate")
    findings_part = _capped(sections.findings(list(findings)), 4, room, "findings", "run idamconf lint")
    parts = [_Environment(outcome, len(outcomes) == 1) for outcome in outcomes]
    for part in parts:
        part.essentials(room)
    for part in parts:
        part.tables(room)
    for fill in ("details", "diagram"):
        for part in parts:
            getattr(part, fill)(room)
    lines = [*head, *problems_part, *findings_part, ""]
    for part in parts:
        lines += part.lines()
    text = "\n".join(_collapse_blanks(lines)).rstrip("\n") + "\n"
    return text if len(text) <= LIMIT else _shortest(project, outcomes, marker, heading, links, len(findings),
                                                         len(problems))


def _shortest(project: str, outcomes: list[Outcome], marker: str, heading: str, links: str, findings: int,
              problems: int) -> str:
    """What is left when even the parts that are never cut do not fit (many environments, each with a long
    failure): how many problems and findings there are, each environment's summary and how many it destroys --
    GitHub refuses a longer comment, and the previous one would then stay, saying what is no longer so."""
    lines = _title(project, outcomes, marker, heading) + ([links, ""] if links else [])
    lines += ["**This comment is too long for GitHub:** what follows is each environment's summary; the run's "
              "artifacts hold the full plans.", ""]
    if problems or findings:
        lines += [f"**{problems} of validate's problems, {findings} policy findings:** run idamconf validate and "
                  "idamconf lint, or see the run.", ""]
    for outcome in outcomes:
        plan = outcome.plan
        said = "no plan (see the run)." if plan is None else sections.summary(plan)
        gone = f" It destroys {len(plan.deletions)}: see the full plan." if plan is not None and plan.deletions \
            else ""
        lines.append(f"- {md_code(outcome.environment)}: {said}{gone}")
    return "\n".join(lines) + "\n"


def _title(project: str, outcomes: list[Outcome], marker: str, heading: str) -> list[str]:
    names = ", ".join(md_code(outcome.environment) for outcome in outcomes) or "no environment"
    lines = [marker, f"### {heading} {names} ({md_text(project)})", ""]
    if len(outcomes) == 1 and outcomes[0].target:
        lines += [f"Target: {md_text(outcomes[0].target)}", ""]
    return lines


class _Room:
    """What is left of the budget."""

    def __init__(self, budget: int):
        self.left = budget

    def take(self, lines: list[str]) -> bool:
        size = _size(lines)
        if size > self.left:
            return False
        self.left -= size
        return True

    def force(self, lines: list[str]) -> None:
        self.left -= _size(lines)


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8", "surrogatepass")) + 1 for line in lines)


def _capped(lines: list[str], head: int, room: _Room, what: str, where: str, most: int = MOST_ROWS) -> list[str]:
    """`lines` (a heading and table head of `head` lines, then rows) with as many rows as fit, at most `most`; the
    rest counted."""
    while lines and not lines[-1]:
        lines = lines[:-1]
    if not lines:
        return []
    kept = lines[:head]
    room.force(kept)
    rows = lines[head:]
    for number, row in enumerate(rows):
        if number >= most or not room.take([row]):
            left_out = ["", f"… and {len(rows) - number} more {what}, left out of this comment: {where}."]
            room.force(left_out)
            return kept + left_out + [""]
        kept.append(row)
    return kept + [""]


@dataclass
class _Environment:
    outcome: Outcome
    alone: bool
    head: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    more: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    picture: list[str] = field(default_factory=list)

    def essentials(self, room: _Room) -> None:
        outcome, plan = self.outcome, self.outcome.plan
        self.head = [] if self.alone else [f"### {md_code(outcome.environment)}" + (
            f" — {md_text(outcome.target)}" if outcome.target else ""), ""]
        if plan is None:
            self.head += sections.failure(outcome.environment, outcome.error) if outcome.error is not None else [
                f"**No plan for {md_code(outcome.environment)}:** not planned (see validate's problems above, or "
                "the run).", ""]
        elif plan.empty:
            self.head += ["**No changes.** The tenant matches the configuration.", ""] + sections.drift(plan)
        else:  # every deletion first, as many as GitHub's limit lets in (a cut says how many it left out, and the
            # summary counts them all); then the warnings, as many as fit, shown above them
            self.head += [f"**{sections.summary(plan)}**", ""]
            room.force(self.head)
            gone = _capped(sections.deletions(plan), 4, room, "deletions", "see the full plan in the run's artifacts",
                           most=10**9)
            said = _capped(sections.warnings(plan), 0, room, "warnings", "see the full plan in the run's artifacts")
            granted = _capped(sections.access(plan), 6, room, "changes of access and credentials",
                              "see the full plan in the run's artifacts", most=10**9)
            drift = sections.drift(plan)
            room.force(drift)
            self.head += said + gone + granted + drift
            return
        room.force(self.head)

    def _changes(self) -> tuple[list, list]:
        plan = self.outcome.plan
        if plan is None or plan.empty:
            return [], []
        drift = [change for change in plan.pending if change.address in plan.drift]
        return drift, [change for change in plan.pending if change.address not in plan.drift]

    def tables(self, room: _Room) -> None:
        """Every change in a row, drift apart; when they do not all fit, one row per application instead."""
        plan = self.outcome.plan
        drift, own = self._changes()
        title = "**This change's own changes:**" if plan is not None and plan.drift_base is not None else "**Changes:**"
        full = ((["**Drift**, apart:", "", *sections.table(drift, plan), ""] if drift else []) +
                ([title, "", *sections.table(own, plan), ""] if own else []))
        if not full or room.take(full):
            self.rows = full
            return
        self.rows = _capped(sections.by_application(plan), 4, room, "applications",
                            "see the full plan in the run's artifacts", most=10**9)

    def details(self, room: _Room) -> None:
        """Each change's details, collapsed, as many as fit; those left out are counted."""
        drift, own = self._changes()
        changes = drift + own
        if not changes:
            return
        opening, closing = sections.details([], self.outcome.plan, "Details of every change")[:2], ["</details>", ""]
        note = ["Details of {} more change(s) are left out of this comment (GitHub's size limit): see the full plan "
                "in the run's artifacts.", ""]
        if not room.take(opening + closing + note):
            return
        shown = []
        for number, change in enumerate(changes):
            block = sections.change_details(change, self.outcome.plan)
            if not room.take(block):
                self.more = [note[0].format(len(changes) - number), ""]
                break
            shown += block
        self.folded = (opening + shown + closing) if shown else []

    def diagram(self, room: _Room) -> None:
        plan = self.outcome.plan
        text = mermaid(plan) if plan is not None and not plan.empty else ""
        if not text:
            return
        picture = sections.diagram(text)
        if len(text) < MERMAID_LIMIT and room.take(picture):
            self.picture = picture

    def lines(self) -> list[str]:
        return [*self.head, *self.rows, "", *self.folded, *self.more, *self.picture]


def _collapse_blanks(lines: list[str]) -> list[str]:
    """No two blank lines in a row (parts end with one; a fence's content never has two, idamconf writes it)."""
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return kept
