"""`new app`'s answers: the flags given, and the checks on each answer, before anything is written."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from .. import scaffold
from ..command_line import options
from ..diagnostics import Diagnostic, DiagnosticError

FLAGS = ("--display-name TEXT", "--description TEXT", "--owner UPN (repeatable)", "--environment ENV (repeatable)",
         "--organisation CODE", "--department CODE", "--role 'Display Name|Value|Description' (repeatable)",
         "--approver UPN (repeatable)", "--reviewer UPN (repeatable)", "--review-days N", "--no-input")


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
    environments: tuple[str, ...] = ()


def listed(values) -> tuple[str, ...]:
    """Repeated flags, each possibly comma-separated, in order, without duplicates."""
    return tuple(dict.fromkeys(item for value in values or () for item in scaffold.split_list(value)))


def from_flags(name: str, flags: Flags, defaults: dict, known: tuple[str, ...], config_dir: Path = Path(".")) \
        -> scaffold.Answers:
    missing = [label for label, given in (("--display-name TEXT", flags.display_name),
                                          ("--owner UPN", flags.owners),
                                          ("--environment ENV", flags.environments)) if not given]
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
            f"pass them as flags; all flags: {', '.join(FLAGS)}. Example: {_example(name, known, config_dir)}")])
    return checked(answers_of(name, flags, defaults, [role_of(text) for text in flags.roles]), known)


def _example(name: str, known: tuple[str, ...], config_dir: Path) -> str:
    """A command that works as written, from where the user is: their --config-dir and one of their environments."""
    return (f"idamconf new app {name}{options(config_dir)} --display-name 'CRM' --owner alice.admin@contoso.com "
            f"--owner bob.ops@contoso.com --environment {shlex.quote(known[0] if known else 'nle')} --role "
            "'Sales|CRM.Sales|Manages accounts' --approver alice.admin@contoso.com --approver bob.ops@contoso.com "
            "--reviewer frank.audit@contoso.com --reviewer erin.security@contoso.com --review-days 90 --no-input")


def role_of(text: str) -> scaffold.Role:
    try:
        return scaffold.parse_role(text)
    except ValueError as error:
        raise DiagnosticError([Diagnostic(str(error), "write --role 'Display Name|Value|Description', e.g. "
                                          "--role 'Sales representative|CRM.Sales|Manages own accounts'")]) from None


def answers_of(name: str, flags: Flags, defaults: dict, roles: list[scaffold.Role]) -> scaffold.Answers:
    review = scaffold.Review(flags.reviewers, flags.review_days) if flags.reviewers else None
    if flags.approvers:
        roles = [replace(role, approvers=flags.approvers, review=review) for role in roles]
    return scaffold.Answers(
        name=name, display_name=scaffold.one_line(flags.display_name or ""),
        description=scaffold.one_line(flags.description or ""), owners=flags.owners,
        organisation=flags.organisation or defaults.get("organisation"),
        department=flags.department or defaults.get("department"), roles=tuple(roles),
        environments=flags.environments)


def checked(answers: scaffold.Answers, known: tuple[str, ...]) -> scaffold.Answers:
    """Every answer that breaks a rule, at once, before anything is written (`known`: the project's environments)."""
    problems = [Diagnostic(f"environment '{name}' is not in idamconf.yaml", f"use one of {', '.join(known)}")
                for name in answers.environments if name not in known]
    problems += [Diagnostic(f"owner '{upn}' is not a user principal name", fix)
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
