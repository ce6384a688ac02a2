"""`idamconf lint`: read the configuration and its YAML, run the rules, print text or SARIF. Exit 1 on any error."""

from __future__ import annotations

import sys
from pathlib import Path

from ..config.load import project_configuration, read, read_documents
from ..diagnostics import Diagnostic, DiagnosticError, errors
from ..escape import json_dumps, sarif_text, terminal
from ..lint import lint
from ..lint.checks import secret_values


def run(config_dir: Path, environment: str | None, output: str) -> int:
    configuration, problems = read(config_dir)
    documents = read_documents(config_dir)
    graded = configuration or project_configuration(config_dir, documents.project)
    _known(graded, environment)
    findings = lint(graded, documents, environment)
    secrets = secret_values([doc for doc in (documents.project, *documents.applications) if doc is not None])
    blocking = [problem for problem in problems if not problem.rule]  # rule findings are lint's own, re-graded
    if blocking:
        print(_redacted(_diagnostics(blocking), secrets), file=sys.stderr)
    print(_redacted(_rendered(findings, output, config_dir, partial=configuration is None), secrets), end="")
    return 1 if errors(blocking) or any(finding.severity == "error" for finding in findings) else 0


def _known(configuration, environment: str | None) -> None:
    if configuration is not None and environment is not None and environment not in configuration.environments:
        known = ", ".join(configuration.environments)
        raise DiagnosticError([Diagnostic(f"unknown environment '{environment}'", f"use one defined in "
                                          f"idamconf.yaml: {known}")])


def _rendered(findings, output: str, config_dir: Path, partial: bool) -> str:
    if output == "sarif":
        from ..lint.render_sarif import render

        return render(findings, repository_root(Path(config_dir)))
    from ..lint.render_human import render

    return render(findings, partial)


def repository_root(config_dir: Path) -> Path:
    """The git work tree holding the configuration (code scanning wants paths from there), else the directory."""
    start = config_dir.resolve()
    return next((folder for folder in (start, *start.parents) if (folder / ".git").exists()), start)


def _diagnostics(problems: list[Diagnostic]) -> str:
    found = errors(problems)
    lines = [problem.render() for problem in problems]
    return "\n".join(lines + ["", f"validate: {len(found)} error(s), {len(problems) - len(found)} warning(s)."])


def _redacted(text: str, secrets: set[str]) -> str:
    """Belt and braces: no value found under a secret key is ever printed, whoever's message quotes it -- as it is,
    or as the output escaped it (shown for the terminal, then written in a JSON string for SARIF)."""
    forms = {form for secret in secrets if len(secret) >= 3 for form in _escaped_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "[redacted]")
    return text


def _escaped_forms(secret: str) -> set[str]:
    shown = terminal(secret)
    return {secret, shown, sarif_text(secret), json_dumps(shown)[1:-1], json_dumps(sarif_text(secret))[1:-1]}
