"""Findings as text, like validate's diagnostics: file:line:column: severity: [rule] path: what / fix: how."""

from __future__ import annotations

from ..escape import terminal
from .model import Finding
from .rules import RULES


def render(findings: list[Finding], partial: bool = False) -> str:
    """`partial`: the configuration has errors, so only the rules on the files' YAML could run."""
    lines = [_finding(finding) for finding in findings]
    return "\n".join(lines + ([""] if lines else []) + [_summary(findings, partial)]) + "\n"


def _finding(finding: Finding) -> str:
    """Every part may quote the configuration (a file name, a key, a value): each is escaped for the terminal."""
    inside = f"{terminal(finding.path)}: " if finding.path else ""
    note = f" ({terminal(finding.note)})" if finding.note else ""
    return (f"{terminal(finding.location)}: {finding.severity}: [{finding.rule}] {inside}{terminal(finding.summary)}"
            f"{note}\n    fix: {terminal(finding.fix)}")


def _summary(findings: list[Finding], partial: bool) -> str:
    errors = sum(finding.severity == "error" for finding in findings)
    counts = f"{errors} error(s), {len(findings) - errors} warning(s)"
    if partial:
        return f"lint: {counts}; only the security rules ran, because the configuration has errors (fix those first)."
    return f"lint: {counts} from {len(RULES)} rules."
