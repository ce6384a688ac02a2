"""Lint's data: a rule (stable id, title, how to fix, default severity) and a finding of it at file:line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str  # stable: configured under environments.<env>.rules and shown as [id]; never renamed
    name: str  # the same in PascalCase, for SARIF
    title: str  # one line
    help: str  # why, and how to fix it
    default: str  # error | warning


@dataclass(frozen=True)
class Finding:
    """One rule broken at one place, at the strictest severity among the environments considered."""

    rule: str
    severity: str  # error | warning
    summary: str  # what is wrong; never a secret's value
    fix: str  # how to fix it
    file: str  # as shown to the user (relative to the working directory when inside it)
    line: int
    column: int
    path: str = ""  # where inside the document, e.g. appRoles[1].accessPackage.approvers
    note: str = ""  # where the severity differs, e.g. "error in live; warning in devl, local"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"
