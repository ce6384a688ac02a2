"""Findings as GitHub workflow commands: each an annotation on its file and line in the pull request's "Files
changed" and the run's summary -- `::error file=F,line=L,col=C,title=T::MESSAGE`.

The runner reads these from the job's log, so every value in one is escaped as @actions/core does: the file and the
title as properties (`workflow_property`: '%', CR, LF, ':' and ','), the message as data (`workflow_data`: '%', CR,
LF), so a value can neither end the command's properties nor start a command of its own on another line. The file
is relative to the repository's root (the runner's GITHUB_WORKSPACE), with '/'.
"""

from __future__ import annotations

from pathlib import Path

from ..escape import workflow_data, workflow_property
from .findings import weighed
from .model import Finding, repository_path

COMMANDS = {"error": "error", "warning": "warning"}  # anything else is a notice


def render(findings: list[Finding], base: Path, summary: str) -> str:
    """One command per finding, then `summary` (idamconf's own words) on a line of its own. GitHub shows only the first
    10 annotations of each level a step writes: errors first, and a flood of one rule's after the others'
    (findings.weighed)."""
    return "".join(f"{_command(finding, base)}\n" for finding in weighed(findings)) + f"{summary}\n"


def _command(finding: Finding, base: Path) -> str:
    properties = []
    if finding.file:
        properties += [f"file={workflow_property(repository_path(finding.file, base))}",
                       f"line={max(finding.line, 1)}", f"col={max(finding.column, 1)}"]
    properties.append(f"title={workflow_property(_title(finding))}")
    note = f" ({finding.note})" if finding.note else ""
    inside = f"{finding.path}: " if finding.path else ""
    fix = f"\nfix: {finding.fix}" if finding.fix else ""
    message = workflow_data(f"{inside}{finding.summary}{note}{fix}")
    return f"::{COMMANDS.get(finding.severity, 'notice')} {','.join(properties)}::{message}"


def _title(finding: Finding) -> str:
    """Who found it, then its rule: `idamconf validate: approvers.two` for a rule's problem validate found."""
    return f"idamconf {finding.source}: {finding.rule}"
