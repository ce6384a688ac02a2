"""Lint's data: a rule (stable id, title, how to fix, default severity) and a finding of it at file:line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
    source: str = "lint"  # who found it: lint, or validate (Finding.of) -- whatever its rule

    @property
    def location(self) -> str:
        """As validate says it (Diagnostic.location): a problem of no file (an unknown environment) has none, one of
        a whole file (no idamconf.yaml) its file alone."""
        if not self.file:
            return ""
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file

    @classmethod
    def of(cls, diagnostic) -> "Finding":
        """A problem `validate` found, as a finding: its own rule (the organisation's rules that validate checks), or
        the `configuration` rule (a file that does not validate) -- so that both reach SARIF and annotations -- and
        validate's either way (`source`): it is counted, titled and written as validate's, not by its rule."""
        return cls(diagnostic.rule or "configuration", diagnostic.severity, diagnostic.summary, diagnostic.fix,
                   diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.path, source="validate")


def repository_path(file: str, base: Path) -> str:
    """`file` (as shown: relative to the working directory, or absolute) relative to `base`, with '/': where code
    scanning and workflow annotations look for it. "" for a problem of no file."""
    if not file:
        return ""
    return Path(os.path.relpath(os.path.abspath(file), os.path.abspath(base))).as_posix()
