"""Findings as text, like validate's diagnostics: file:line:column: severity: [rule] path: what / fix: how."""

from __future__ import annotations

from ..escape import terminal
from .model import Finding
from .rules import ON_THE_YAML, RULES


def render(findings: list[Finding], partial: bool = False) -> str:
    """`partial`: the configuration has errors, so only the rules on the files' YAML could run."""
    lines = [_finding(finding) for finding in findings]
    return "\n".join(lines + ([""] if lines else []) + [summary(findings, partial)]) + "\n"


def _finding(finding: Finding) -> str:
    """Every part may quote the configuration (a file name, a key, a value): each is escaped for the terminal.
    validate's problems read as validate says them, with no rule before them: one of the organisation's rules
    names itself at the end of validate's words (`[approvers.two]`), and was named twice."""
    where = f"{terminal(finding.location)}: " if finding.location else ""
    rule = f"[{finding.rule}] " if finding.source == "lint" else ""
    inside = f"{terminal(finding.path)}: " if finding.path else ""
    note = f" ({terminal(finding.note)})" if finding.note else ""
    fix = f"\n    fix: {terminal(finding.fix)}" if finding.fix else ""
    return f"{where}{finding.severity}: {rule}{inside}{terminal(finding.summary)}{note}{fix}"


def summary(findings: list[Finding], partial: bool) -> str:
    """The counts of everything listed, validate's problems among them, said as such -- whatever their rule: one of
    the organisation's rules that validate found (a broken file's neighbour's lone approver) is validate's too."""
    errors = sum(finding.severity == "error" for finding in findings)
    validates = sum(finding.source == "validate" for finding in findings)
    counts = f"{errors} error(s), {len(findings) - errors} warning(s)"
    theirs = f" ({validates} of them validate's)" if validates else ""
    if partial:
        return (f"lint: {counts}{theirs}; of the {len(RULES)} rules only {' and '.join(ON_THE_YAML)} ran, because the "
                "configuration has errors (fix those first).")
    return f"lint: {counts} from {len(RULES)} rules{theirs}."
