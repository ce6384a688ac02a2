"""`idamconf validate`: every problem at once, for a person (human), a workflow's annotations (github) or code
scanning (sarif). Exit 1 on any error."""

from __future__ import annotations

from pathlib import Path

from ..config.load import read
from ..diagnostics import errors
from ..escape import terminal
from . import report_diagnostics


def run(config_dir: Path, output: str = "human") -> int:
    configuration, problems = read(config_dir, keep=True)  # kept for pull requests' plans (config/known_files.py)
    if output != "human":
        print(machine_report(problems, output, config_dir, _summary(configuration, problems)), end="")
        return 1 if errors(problems) else 0
    if problems:
        return report_diagnostics(problems)
    print(_summary(configuration, problems))
    return 0


def machine_report(problems: list, output: str, config_dir: Path, summary: str) -> str:
    """validate's problems as workflow annotations (github) or a SARIF log, each at its file and line."""
    from ..lint.model import Finding
    from .lint import repository_root

    findings = [Finding.of(problem) for problem in problems]
    base = repository_root(Path(config_dir))
    if output == "sarif":
        from ..lint.render_sarif import render

        return render(findings, base)
    from ..lint.render_github import render

    return render(findings, base, summary)


def _summary(configuration, problems: list) -> str:
    found = errors(problems)
    if configuration is None or found:
        return f"validate: {len(found)} error(s), {len(problems) - len(found)} warning(s)."
    count = len(configuration.applications)
    return (f"Configuration is valid: project '{terminal(configuration.project)}', {count} application(s), "
            f"{len(configuration.environments)} environment(s).")
