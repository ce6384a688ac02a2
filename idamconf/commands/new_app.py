"""`idamconf new app NAME`: the demand-request questions, from flags or prompts, written as applications/NAME.yaml.

The answers become YAML in idamconf/scaffold.py; the flags and their checks are in new_app_answers.py, the questions
in new_app_questions.py. Here we check the target, check the file as validate would -- its schema, the
organisation's rules in the environments it goes to, and what no single file shows (a package name another file
uses) -- and only then write it, with a `$schema` line that resolves where the configuration is
(config/schema_files.py).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import typer

from .. import scaffold
from ..config import application, confined, schema, semantics, yamlfile
from ..config.load import APPLICATIONS_DIR, PROJECT_FILE, application_files, project_configuration, read
from ..config.schema_files import schema_reference, write_schemas
from ..diagnostics import Diagnostic, DiagnosticError, errors
from . import report_diagnostics, validate
from .new_app_answers import Flags, from_flags, listed


def run(config_dir: Path, name: str, display_name, description, owners, organisation, department, roles, approvers,
        reviewers, review_days, no_input: bool, environments=()) -> int:
    flags = Flags(display_name, description, listed(owners), organisation, department, tuple(roles or ()),
                  listed(approvers), listed(reviewers), review_days, no_input, listed(environments))
    if problem := scaffold.name_problem(name):
        raise DiagnosticError([Diagnostic(f"'{name}' is not a valid application name", problem)])
    target = config_dir / APPLICATIONS_DIR / f"{name}.yaml"
    _refuse_outside(config_dir, target)
    defaults, project = _project(config_dir)
    configuration = _refuse_existing(config_dir, name, target)
    try:
        answers = _answers(name, flags, defaults, project, config_dir)
        reference, schemas = schema_reference(config_dir, target, application_files(config_dir, []))
        text = scaffold.application_yaml(answers, defaults, reference)
        _check(text, str(target), defaults, project, configuration)
    except DiagnosticError as error:
        report_diagnostics(error.diagnostics)
        print(f"Nothing was written to {target}.", file=sys.stderr)
        return 1
    except typer.Abort:  # Ctrl-C or end of input at a prompt
        print(f"\nStopped before the last question: nothing was written to {target}.", file=sys.stderr)
        return 1
    return _write(config_dir, target, text, schemas)


def _answers(name: str, flags: Flags, defaults: dict, project, config_dir: Path) -> scaffold.Answers:
    if not flags.no_input and _terminal():
        from .new_app_questions import asked

        return asked(name, flags, defaults, project)
    return from_flags(name, flags, defaults, tuple(project.environments), config_dir)


def _write(config_dir: Path, target: Path, text: str, schemas: Path | None) -> int:
    if schemas is not None:  # where the file's $schema line points: editors find the schema there
        written = write_schemas(schemas)
        print(f"Wrote {', '.join(map(str, written))} (for editors; `idamconf schema --write {schemas}` refreshes "
              "them after an upgrade).")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as file:  # "x": never overwrite, even a file created meanwhile
        file.write(text)
    print(f"Wrote {target}. Checking the whole configuration as `idamconf validate` does:")
    return validate.run(config_dir)


def _terminal() -> bool:
    return sys.stdin.isatty()


def _project(config_dir: Path):
    """idamconf.yaml's `defaults` and its configuration (environments, rules); refused if it is missing or broken."""
    path = config_dir / PROJECT_FILE
    if not path.is_file():
        raise DiagnosticError([Diagnostic(f"no {PROJECT_FILE} in {config_dir}", "run idamconf new app in a "
                                          "configuration directory or pass --config-dir", str(path))])
    document, problems = yamlfile.load(path, str(path))
    project = project_configuration(config_dir, document)
    if project is None:
        raise DiagnosticError(problems or [Diagnostic(f"{path} is not valid", f"run idamconf validate -C "
                                                      f"{config_dir} and fix it first", str(path))])
    return document.value.get("defaults") or {}, project


def _refuse_outside(config_dir: Path, target: Path) -> None:
    """idamconf.yaml, or the directory the file would be written in, linked outside the configuration (config/
    confined): nothing is read or written there."""
    project = confined.linked_outside(config_dir, config_dir / PROJECT_FILE, str(config_dir / PROJECT_FILE))
    if project is not None:
        raise DiagnosticError([project])
    if not confined.inside(config_dir, target.parent):
        raise DiagnosticError([confined.leads_outside("directory", str(target.parent))])


def _refuse_existing(config_dir: Path, name: str, target: Path):
    """The configuration as it is (None if it has errors), unless the application exists already."""
    if target.exists() or target.with_suffix(".yml").exists():
        raise DiagnosticError([Diagnostic(f"{target} already exists; nothing was written",
                                          "edit that file instead, or choose another name")])
    configuration, _ = read(config_dir)
    for app in configuration.applications if configuration else ():
        if name in (app.name, app.key):
            raise DiagnosticError([Diagnostic(f"an application named '{name}' already exists in {app.location.file}; "
                                              "nothing was written", "edit that file instead, or choose another name")])
    return configuration


def _check(text: str, shown: str, defaults: dict, project, configuration) -> None:
    """The new file as validate will read it: its schema, then its own checks and the organisation's rules in its
    environments (`project`), then the checks across files with the configuration as it is (when it is valid)."""
    document, problems = yamlfile.parse(text, shown)
    problems += schema.validate(document, "application") if document else []
    if not errors(problems):
        app = application.model(document, defaults)
        problems += application.file_checks(project, document, app, {}) + _lint_errors(project, document, app)
        if configuration is not None:
            together = replace(configuration, applications=(*configuration.applications, app))
            problems += [problem for problem in semantics.check_across(together) if problem.file == shown]
    if errors(problems):
        raise DiagnosticError(problems)


def _lint_errors(project, document, app) -> list[Diagnostic]:
    """lint's rules that are errors in the application's environments (one owner, where an environment makes
    owners.two an error), beyond those validate checks itself (config/access.DEFAULT_RULES)."""
    from ..config.access import DEFAULT_RULES
    from ..config.load import Documents
    from ..lint import lint

    findings = lint(replace(project, applications=(app,)), Documents(None, (document,)))
    return [Diagnostic(f"{f.summary} [{f.rule}]" + (f" ({f.note})" if f.note else ""), f.fix, f.file, f.line,
                       f.column, f.path) for f in findings if f.severity == "error" and f.rule not in DEFAULT_RULES]
