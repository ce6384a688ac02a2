"""`idamconf lint`: read the configuration and its YAML, run the rules, print text, workflow annotations or SARIF --
with validate's problems among the findings. Exit 1 on any error."""

from __future__ import annotations

import sys
from pathlib import Path

from ..config.load import project_configuration, read, read_documents
from ..config.secrets import redact
from ..diagnostics import Diagnostic, DiagnosticError
from ..escape import json_dumps, md_code, md_text, sarif_text, terminal, workflow_data, workflow_property
from ..lint import lint
from ..lint.model import Finding
from ..lint.checks import secret_values


def run(config_dir: Path, environment: str | None, output: str) -> int:
    configuration, problems, findings, secrets = checked(config_dir, environment)
    shown = merged(findings, problems, regraded=configuration is not None)
    print(redacted(_rendered(shown, output, config_dir, partial=configuration is None), secrets), end="")
    return 1 if any(finding.severity == "error" for finding in shown) else 0


def merged(findings: list[Finding], problems: list[Diagnostic], regraded: bool) -> list[Finding]:
    """lint's findings and validate's problems, as one list in file and line order: everything that makes lint exit
    1 is said in every format, and counted. A problem of one of the organisation's rules is left out when lint
    graded the rules itself (`regraded`: its model rules ran, on a configuration that loads), at the severity of the
    environment asked for -- validate grades them at the strictest of every environment, so its secret.lifetime
    error of live made `lint -e devl` exit 1 until session 49. Any other -- a schema error, a rule's problem while
    the rules on the files' YAML ran -- is shown as validate found it (Finding.of: its rule, or `configuration`)."""
    kept = [Finding.of(problem) for problem in problems if not (regraded and problem.rule)]
    return sorted([*findings, *kept], key=lambda f: (f.file, f.line, f.column, f.rule))


def checked(config_dir: Path, environment: str | None = None):
    """validate's and lint's view of the configuration: the configuration (None if it has errors), validate's
    problems, lint's findings, and the values that must never be printed (secret_values)."""
    configuration, problems = read(config_dir)
    documents = read_documents(config_dir)
    graded = configuration or project_configuration(config_dir, documents.project)
    _known(graded, environment)
    findings = lint(graded, documents, environment)
    secrets = secret_values([doc for doc in (documents.project, *documents.applications) if doc is not None])
    return configuration, problems, findings, secrets


def _known(configuration, environment: str | None) -> None:
    if configuration is not None and environment is not None and environment not in configuration.environments:
        known = ", ".join(configuration.environments)
        raise DiagnosticError([Diagnostic(f"unknown environment '{environment}'", f"use one defined in "
                                          f"idamconf.yaml: {known}")])


def _rendered(findings, output: str, config_dir: Path, partial: bool) -> str:
    if output == "sarif":
        from ..lint.render_sarif import render

        return render(findings, repository_root(Path(config_dir)))
    if output == "github":
        from ..lint.render_github import render
        from ..lint.render_human import summary

        return render(findings, repository_root(Path(config_dir)), summary(findings, partial))
    from ..lint.render_human import render

    return render(findings, partial)


def repository_root(config_dir: Path) -> Path:
    """The git work tree holding the configuration (code scanning wants paths from there), else the directory."""
    start = config_dir.resolve()
    return next((folder for folder in (start, *start.parents) if (folder / ".git").exists()), start)


def redacted(text: str, secrets: set[str]) -> str:
    """Belt and braces: no value found under a secret key is ever printed, whoever's message quotes it -- as it is,
    or as the output escaped it (shown for the terminal, then written in a JSON string for SARIF)."""
    return redact(text, {form for secret in secrets for form in _escaped_forms(secret)})


def _escaped_forms(secret: str) -> set[str]:
    shown = terminal(secret)
    return {secret, shown, sarif_text(secret), json_dumps(shown)[1:-1], json_dumps(sarif_text(secret))[1:-1],
            workflow_data(secret), workflow_property(secret), md_text(secret), md_code(secret).strip("` ")}
