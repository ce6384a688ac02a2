"""`idamconf new app NAME`: the demand-request questions, from flags or prompts, written as applications/NAME.yaml.

The answers become YAML in idamconf/scaffold.py; here we only ask, check the target, write, and validate.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import typer

from .. import scaffold
from ..config import confined, schema, yamlfile
from ..config.access import MAX_DAYS, MIN_DAYS
from ..config.load import APPLICATIONS_DIR, PROJECT_FILE, read
from ..diagnostics import Diagnostic, DiagnosticError, errors
from ..escape import terminal
from . import report_diagnostics, validate

FLAGS = ("--display-name TEXT", "--description TEXT", "--owner UPN (repeatable)", "--organisation CODE",
         "--department CODE", "--role 'Display Name|Value|Description' (repeatable)", "--approver UPN (repeatable)",
         "--reviewer UPN (repeatable)", "--review-days N", "--no-input")


@dataclass(frozen=True)
class Flags:
    display_name: str | None = None
    description: str | None = None
    owners: tuple[str, ...] = ()
    organisation: str | None = None
    department: str | None = None
    roles: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    review_days: int | None = None
    no_input: bool = False


def run(config_dir: Path, name: str, display_name, description, owners, organisation, department, roles, approvers,
        reviewers, review_days, no_input: bool) -> int:
    flags = Flags(display_name, description, _listed(owners), organisation, department, tuple(roles or ()),
                  _listed(approvers), _listed(reviewers), review_days, no_input)
    if problem := scaffold.name_problem(name):
        raise DiagnosticError([Diagnostic(f"'{name}' is not a valid application name", problem)])
    target = config_dir / APPLICATIONS_DIR / f"{name}.yaml"
    _refuse_outside(config_dir, target)
    defaults = _defaults(config_dir)
    _refuse_existing(config_dir, name, target)
    ask = not flags.no_input and _terminal()
    try:
        answers = _asked(name, flags, defaults) if ask else _from_flags(name, flags, defaults)
        text = scaffold.application_yaml(answers, defaults)
        _check_schema(text, str(target))
    except DiagnosticError as error:
        report_diagnostics(error.diagnostics)
        print(f"Nothing was written to {target}.", file=sys.stderr)
        return 1
    except typer.Abort:  # Ctrl-C or end of input at a prompt
        print(f"\nStopped before the last question: nothing was written to {target}.", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as file:  # "x": never overwrite, even a file created meanwhile
        file.write(text)
    print(f"Wrote {target}. Checking the whole configuration as `idamconf validate` does:")
    code = validate.run(config_dir)
    if code:
        print(f"{target} was written: correct the problems above in it, then run `idamconf validate`.",
              file=sys.stderr)
    return code


def _listed(values) -> tuple[str, ...]:
    """Repeated flags, each possibly comma-separated, in order, without duplicates."""
    return tuple(dict.fromkeys(item for value in values or () for item in scaffold.split_list(value)))


def _terminal() -> bool:
    return sys.stdin.isatty()


def _defaults(config_dir: Path) -> dict:
    path = config_dir / PROJECT_FILE
    if not path.is_file():
        raise DiagnosticError([Diagnostic(f"no {PROJECT_FILE} in {config_dir}", "run idamconf new app in a "
                                          "configuration directory or pass --config-dir", str(path))])
    document, _ = yamlfile.load(path, str(path))
    value = document.value if document is not None and isinstance(document.value, dict) else {}
    return value.get("defaults") or {}


def _refuse_outside(config_dir: Path, target: Path) -> None:
    """idamconf.yaml, or the directory the file would be written in, linked outside the configuration (config/
    confined): nothing is read or written there."""
    project = confined.linked_outside(config_dir, config_dir / PROJECT_FILE, str(config_dir / PROJECT_FILE))
    if project is not None:
        raise DiagnosticError([project])
    if not confined.inside(config_dir, target.parent):
        raise DiagnosticError([confined.leads_outside("directory", str(target.parent))])


def _refuse_existing(config_dir: Path, name: str, target: Path) -> None:
    if target.exists() or target.with_suffix(".yml").exists():
        raise DiagnosticError([Diagnostic(f"{target} already exists; nothing was written",
                                          "edit that file instead, or choose another name")])
    configuration, _ = read(config_dir)
    for app in configuration.applications if configuration else ():
        if app.name == name:
            raise DiagnosticError([Diagnostic(f"an application named '{name}' already exists in {app.location.file}; "
                                              "nothing was written", "edit that file instead, or choose another name")])


def _check_schema(text: str, shown: str) -> None:
    document, problems = yamlfile.parse(text, shown)
    problems += schema.validate(document, "application") if document else []
    if errors(problems):
        raise DiagnosticError(problems)


# --- answers from flags only ----------------------------------------------------------------------------------

def _from_flags(name: str, flags: Flags, defaults: dict) -> scaffold.Answers:
    missing = [label for label, given in (("--display-name TEXT", flags.display_name),
                                          ("--owner UPN", flags.owners)) if not given]
    if flags.reviewers and flags.review_days is None:
        missing.append("--review-days N (with --reviewer)")
    if flags.review_days is not None and not flags.reviewers:
        missing.append("--reviewer UPN (with --review-days)")
    if (flags.reviewers or flags.review_days is not None) and not flags.approvers:
        missing.append("--approver UPN (an access review belongs to an access package)")
    if flags.approvers and not flags.roles:
        missing.append("--role 'Display Name|Value|Description' (--approver gives each role an access package)")
    if missing:
        raise DiagnosticError([Diagnostic(
            f"{'--no-input was given' if flags.no_input else 'no terminal to ask the questions'}, and answers are "
            f"missing: {', '.join(missing)}",
            f"pass them as flags; all flags: {', '.join(FLAGS)}. Example: idamconf new app {name} --display-name "
            "'CRM' --owner alice.admin@contoso.com --role 'Sales|CRM.Sales|Manages accounts' --approver "
            "alice.admin@contoso.com --approver bob.ops@contoso.com --reviewer frank.audit@contoso.com --reviewer "
            "erin.security@contoso.com --review-days 90 --no-input")])
    return _checked(_answers(name, flags, defaults, [_role(text) for text in flags.roles]))


def _role(text: str) -> scaffold.Role:
    try:
        return scaffold.parse_role(text)
    except ValueError as error:
        raise DiagnosticError([Diagnostic(str(error), "write --role 'Display Name|Value|Description', e.g. "
                                          "--role 'Sales representative|CRM.Sales|Manages own accounts'")]) from None


def _answers(name: str, flags: Flags, defaults: dict, roles: list[scaffold.Role]) -> scaffold.Answers:
    review = scaffold.Review(flags.reviewers, flags.review_days) if flags.reviewers else None
    if flags.approvers:
        roles = [replace(role, approvers=flags.approvers, review=review) for role in roles]
    return scaffold.Answers(
        name=name, display_name=scaffold.one_line(flags.display_name or ""),
        description=scaffold.one_line(flags.description or ""), owners=flags.owners,
        organisation=flags.organisation or defaults.get("organisation"),
        department=flags.department or defaults.get("department"), roles=tuple(roles))


def _checked(answers: scaffold.Answers) -> scaffold.Answers:
    """Every answer that breaks a rule, at once, before anything is written."""
    problems = [Diagnostic(f"owner '{upn}' is not a user principal name", fix)
                for upn in answers.owners if (fix := scaffold.upn_problem(upn))]
    problems += [Diagnostic(f"{key} code '{code}' is not valid", fix) for key, code in
                 (("organisation", answers.organisation), ("department", answers.department))
                 if code and (fix := scaffold.code_problem(code))]
    for role in answers.roles:
        if fix := scaffold.role_value_problem(role.value):
            problems.append(Diagnostic(f"role value '{role.value}' is not valid", fix))
        people = role.approvers + (role.review.reviewers if role.review else ())
        problems += [Diagnostic(f"approver or reviewer '{upn}' is not a user principal name", fix)
                     for upn in people if (fix := scaffold.upn_problem(upn))]
    days = next((role.review.frequency_days for role in answers.roles if role.review), None)
    if days is not None and (fix := scaffold.review_days_problem(days)):
        problems.append(Diagnostic(f"--review-days {days} cannot be used", fix))
    if problems:
        raise DiagnosticError(problems)
    return answers


# --- answers from prompts (only what the flags did not give) ----------------------------------------------------

def _asked(name: str, flags: Flags, defaults: dict) -> scaffold.Answers:
    typer.echo(f"New application '{name}': the questions of a demand request (Ctrl-C to stop; nothing is written "
               "until the end).")
    flags = replace(
        flags,
        display_name=flags.display_name or typer.prompt("Display name (shown in Entra ID)", value_proc=_text),
        description=flags.description if flags.description is not None else
        typer.prompt("Description (optional)", default="", show_default=False),
        owners=flags.owners or _upns("Owners (user principal names, comma-separated)"),
        organisation=flags.organisation or _code("Organisation code", defaults.get("organisation")),
        department=flags.department or _code("Department code", defaults.get("department")))
    package = (lambda role: role) if flags.approvers else (lambda role: _asked_package(role, flags))
    roles = [package(_role(text)) for text in flags.roles] or _asked_roles(package)
    if flags.approvers and (flags.reviewers or flags.review_days):
        flags = replace(flags, reviewers=flags.reviewers or _upns("Reviewers (user principal names, comma-separated; "
                                                                   "at least two)"),
                        review_days=flags.review_days or _days())
    return _checked(_answers(name, flags, defaults, roles))


def _asked_roles(package) -> list[scaffold.Role]:
    roles = []
    while display := typer.prompt("Role display name (blank when done)", default="", show_default=False).strip():
        value = typer.prompt(f"  Value of '{terminal(display)}' in tokens (e.g. App.Reader)", value_proc=_role_value)
        description = typer.prompt("  Description (optional)", default="", show_default=False)
        roles.append(package(scaffold.Role(display, value, scaffold.one_line(description))))
    return roles


def _asked_package(role: scaffold.Role, flags: Flags) -> scaffold.Role:
    if not typer.confirm(f"  Can people request '{terminal(role.display_name)}' through an access package?",
                         default=True):
        return role
    approvers = _upns("  Approvers (user principal names, comma-separated; at least two)")
    review = None
    if typer.confirm("  Review regularly who holds it (access review)?", default=True):
        reviewers = flags.reviewers or _upns("  Reviewers (user principal names, comma-separated; at least two)")
        review = scaffold.Review(reviewers, flags.review_days or _days())
    return replace(role, approvers=approvers, review=review)


def _upns(question: str) -> tuple[str, ...]:
    return typer.prompt(question, value_proc=_upn_list)


def _code(question: str, default: str | None) -> str | None:
    answer = typer.prompt(question, default=default or "", show_default=bool(default), value_proc=_code_value)
    return answer or None


def _days() -> int:
    return typer.prompt(f"  Review every how many days ({MIN_DAYS}-{MAX_DAYS})", default=90,
                        value_proc=_review_days)


def _text(answer: str) -> str:
    answer = scaffold.one_line(answer)
    if not answer:
        raise typer.BadParameter("an answer is needed")
    return answer


def _upn_list(answer: str) -> tuple[str, ...]:
    upns = scaffold.split_list(answer)
    bad = [(upn, fix) for upn in upns if (fix := scaffold.upn_problem(upn))]
    if not upns or bad:
        raise typer.BadParameter(f"'{terminal(bad[0][0])}': {bad[0][1]}" if bad else "name at least one person")
    return upns


def _code_value(answer: str) -> str:
    answer = answer.strip()
    if answer and (fix := scaffold.code_problem(answer)):
        raise typer.BadParameter(fix)
    return answer


def _role_value(answer: str) -> str:
    if fix := scaffold.role_value_problem(answer.strip()):
        raise typer.BadParameter(fix)
    return answer.strip()


def _review_days(answer) -> int:
    try:
        days = int(answer)
    except ValueError:
        raise typer.BadParameter("give a whole number of days") from None
    if fix := scaffold.review_days_problem(days):
        raise typer.BadParameter(fix)
    return days
