"""`new app`'s questions on a terminal: only what the flags did not give, each answer checked as it is given.

The environments are asked before the access packages, because the organisation's rules depend on them: where an
environment makes `approvers.two` or `reviewers.two` an error (live, by default), fewer than two people are refused
at the question, rather than written and then failed by validate; and where it makes `review.required` one, a
package's access review is not offered as a choice but asked for.
"""

from __future__ import annotations

from dataclasses import replace

import typer

from .. import scaffold
from ..config.access import MAX_DAYS, MIN_DAYS, strictest
from ..escape import terminal
from .new_app_answers import Flags, answers_of, checked, role_of


def asked(name: str, flags: Flags, defaults: dict, project) -> scaffold.Answers:
    """`project`: idamconf.yaml's configuration (its environments and their rules)."""
    known = tuple(project.environments)
    typer.echo(f"New application '{name}': the questions of a demand request (Ctrl-C to stop; nothing is written "
               "until the end).")
    flags = replace(
        flags,
        display_name=flags.display_name or typer.prompt("Display name (shown in Entra ID)", value_proc=_text),
        description=flags.description if flags.description is not None else
        typer.prompt("Description (optional)", default="", show_default=False),
        owners=flags.owners or _upns("Owners (user principal names, comma-separated)"),
        environments=flags.environments or typer.prompt(f"Environments it goes to (comma-separated, of: "
                                                        f"{', '.join(known)})", value_proc=_environments(known)),
        organisation=flags.organisation or _code("Organisation code", defaults.get("organisation")),
        department=flags.department or _code("Department code", defaults.get("department")))
    people = _People(project, flags.environments)
    package = (lambda role: role) if flags.approvers else (lambda role: _asked_package(role, flags, people))
    roles = [package(role_of(text)) for text in flags.roles] or _asked_roles(package)
    if flags.approvers and (flags.reviewers or flags.review_days):
        flags = replace(flags, reviewers=flags.reviewers or people.ask("reviewers.two", "Reviewers"),
                        review_days=flags.review_days or _days())
    return checked(answers_of(name, flags, defaults, roles), known)


class _People:
    """Asks for approvers or reviewers, as many as the rules require in the application's environments."""

    def __init__(self, project, environments: tuple[str, ...]):
        self.project, self.environments = project, environments

    def required(self, rule: str) -> bool:
        """Whether `rule` is an error in one of the application's environments: then what it asks for is not a
        question (review.required: a package's access review)."""
        return strictest(self.project, self.environments, rule)[0] == "error"

    def ask(self, rule: str, who: str, indent: str = "") -> tuple[str, ...]:
        worst, _ = strictest(self.project, self.environments, rule)
        least = 2 if worst == "error" else 1
        required = "at least two" if least == 2 else "two recommended"
        return typer.prompt(f"{indent}{who} (user principal names, comma-separated; {required})",
                            value_proc=lambda answer: _upn_list(answer, least, rule))


def _asked_roles(package) -> list[scaffold.Role]:
    roles = []
    while display := typer.prompt("Role display name (blank when done)", default="", show_default=False).strip():
        value = typer.prompt(f"  Value of '{terminal(display)}' in tokens (e.g. App.Reader)", value_proc=_role_value)
        description = typer.prompt("  Description (optional)", default="", show_default=False)
        roles.append(package(scaffold.Role(display, value, scaffold.one_line(description))))
    return roles


def _asked_package(role: scaffold.Role, flags: Flags, people: _People) -> scaffold.Role:
    if not typer.confirm(f"  Can people request '{terminal(role.display_name)}' through an access package?",
                         default=True):
        return role
    approvers = people.ask("approvers.two", "Approvers", "  ")
    review = None
    if people.required("review.required") or \
            typer.confirm("  Review regularly who holds it (access review)?", default=True):
        reviewers = flags.reviewers or people.ask("reviewers.two", "Reviewers", "  ")
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


def _environments(known: tuple[str, ...]):
    def chosen(answer: str) -> tuple[str, ...]:
        names = scaffold.split_list(answer)
        unknown = [name for name in names if name not in known]
        if not names or unknown:
            raise typer.BadParameter(f"'{terminal(unknown[0])}' is not one of {', '.join(known)}" if unknown else
                                     f"name at least one of {', '.join(known)}")
        return names
    return chosen


def _upn_list(answer: str, least: int = 1, rule: str = "") -> tuple[str, ...]:
    upns = scaffold.split_list(answer)
    bad = [(upn, fix) for upn in upns if (fix := scaffold.upn_problem(upn))]
    if bad:
        raise typer.BadParameter(f"'{terminal(bad[0][0])}': {bad[0][1]}")
    if len(upns) < least:
        raise typer.BadParameter(f"name at least {least}: the organisation's rule {rule} is an error in one of the "
                                 "application's environments" if least > 1 else "name at least one person")
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
