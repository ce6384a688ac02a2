"""Diagnostics: every problem found, with where it is, what is wrong and how to fix it. Never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from .escape import terminal


@dataclass(frozen=True)
class Diagnostic:
    summary: str  # what is wrong
    fix: str = ""  # how to fix it
    file: str = ""
    line: int = 0
    column: int = 0
    path: str = ""  # where inside the document, e.g. appRoles[1].value
    severity: str = "error"
    rule: str = ""  # the organisation's rule this reports, e.g. approvers.two (see idamconf.lint); "" for others

    @property
    def location(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file

    def render(self) -> str:
        """For the terminal: each part quotes file values (a name, a key, a file name), so each is escaped there,
        and only the line break before `fix:` is idamconf's."""
        where = f"{terminal(self.location)}: " if self.location else ""
        inside = f"{terminal(self.path)}: " if self.path else ""
        fix = f"\n    fix: {terminal(self.fix)}" if self.fix else ""
        return f"{where}{self.severity}: {inside}{terminal(self.summary)}{fix}"


class DiagnosticError(Exception):
    """Raised with every diagnostic at once; the command layer prints them and exits 1."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


def errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]
