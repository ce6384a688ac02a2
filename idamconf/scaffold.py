"""Scaffold an application file from the answers of a demand request: answers in, YAML text out. Pure.

The text is written line by line, so keys keep the schema's order and carry comments; each scalar is quoted by
PyYAML, and the text is checked to load back to exactly the answers. The checks on single answers use the
application schema's own patterns and config/access.py's review schedules, so they never disagree with validate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .config.access import MAX_DAYS, MIN_DAYS, nearest_schedules, package_name, review_schedule
from .config.schema import schema

SCHEMA_REFERENCE = "../../schemas/application.schema.json"  # new app finds the right one: config/schema_files.py
COMMENT_COLUMN = 34


@dataclass(frozen=True)
class Review:
    reviewers: tuple[str, ...]
    frequency_days: int


@dataclass(frozen=True)
class Role:
    display_name: str
    value: str
    description: str = ""
    approvers: tuple[str, ...] = ()  # empty: no access package
    review: Review | None = None


@dataclass(frozen=True)
class Answers:
    name: str
    display_name: str
    owners: tuple[str, ...]
    description: str = ""
    organisation: str | None = None  # None, or the project's default: not written
    department: str | None = None
    roles: tuple[Role, ...] = ()
    environments: tuple[str, ...] = ()  # empty: every environment (never from `new app`, which asks)


# --- single answers -------------------------------------------------------------------------------------------

def _rule(*path: str) -> dict:
    node = schema("application")
    for key in path:
        node = node[key]
    return node


def _mismatch(value: str, *path: str) -> str | None:
    rule = _rule(*path)
    return None if re.fullmatch(rule["pattern"], value) else rule["x-fix"]


def name_problem(name: str) -> str | None:
    """None if `name` is a valid application name, else the schema's rule."""
    return _mismatch(name, "properties", "name")


def upn_problem(upn: str) -> str | None:
    return _mismatch(upn, "$defs", "userPrincipalName")


def code_problem(code: str) -> str | None:
    return _mismatch(code, "$defs", "code")


def role_value_problem(value: str) -> str | None:
    return _mismatch(value, "$defs", "appRole", "properties", "value")


def review_days_problem(days: int) -> str | None:
    """None if reviews every `days` days are allowed and Graph can represent them; else why, with the nearest."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        nearest = _labelled([min(max(days, MIN_DAYS), MAX_DAYS)])
        return (f"reviews every {days} days: the organisation requires every {MIN_DAYS} to {MAX_DAYS} days; "
                f"use {nearest}")
    if review_schedule(days) is None:
        allowed = [d for d in nearest_schedules(days) if MIN_DAYS <= d <= MAX_DAYS]
        return (f"Graph cannot repeat a review every {days} days: reviews recur weekly or monthly; "
                f"use {_labelled(allowed)}")
    return None


def _labelled(days: list[int]) -> str:
    return " or ".join(f"{d} ({review_schedule(d).label})" for d in days)


def parse_role(text: str) -> Role:
    """`Display Name|Value|Description` (the description is optional and may itself contain '|')."""
    parts = [part.strip() for part in text.split("|", 2)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError(f"'{text}' is not 'Display Name|Value|Description'")
    return Role(display_name=parts[0], value=parts[1], description=parts[2] if len(parts) == 3 else "")


def split_list(text: str) -> tuple[str, ...]:
    """`a@x, b@x c@x` -> ('a@x', 'b@x', 'c@x'), duplicates dropped."""
    return tuple(dict.fromkeys(item for item in re.split(r"[,\s]+", text) if item))


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


# --- the document ---------------------------------------------------------------------------------------------

def document(answers: Answers, defaults: dict) -> dict:
    """The application as the loader will read it (what the YAML text must load back to)."""
    doc: dict = {"name": answers.name, "displayName": answers.display_name}
    if answers.description:
        doc["description"] = answers.description
    for key in ("organisation", "department"):
        if getattr(answers, key) and getattr(answers, key) != defaults.get(key):
            doc[key] = getattr(answers, key)
    doc["owners"] = list(answers.owners)
    if answers.environments:
        doc["environments"] = list(answers.environments)
    if answers.roles:
        doc["appRoles"] = [_role(role) for role in answers.roles]
    return doc


def _role(role: Role) -> dict:
    out: dict = {"displayName": role.display_name, "value": role.value}
    if role.description:
        out["description"] = role.description
    if role.approvers:
        out["accessPackage"] = {"approvers": list(role.approvers)}
        if role.review:
            out["accessPackage"]["accessReview"] = {"reviewers": list(role.review.reviewers),
                                                    "frequencyDays": role.review.frequency_days}
    return out


def application_yaml(answers: Answers, defaults: dict, schema: str = SCHEMA_REFERENCE) -> str:
    """The application file: schema line (`schema`: where the application schema is, from the file), comments, then
    the answers. Raises ValueError if it would not load back to `document(answers, defaults)` (a bug here, never
    the user's)."""
    doc = document(answers, defaults)
    codes = (doc.get("organisation", defaults.get("organisation")), doc.get("department", defaults.get("department")))
    lines = [f"# yaml-language-server: $schema={schema}",
             f"# Demand request scaffolded by `idamconf new app {answers.name}`. Check it, run `idamconf validate`",
             "# and `idamconf plan`, then open a pull request that adds this one file.",
             _line(0, "name", doc["name"], "stable key (Graph uniqueName): never changes once created"),
             _line(0, "displayName", doc["displayName"])]
    if "description" in doc:
        lines.append(_line(0, "description", doc["description"]))
    for key in ("organisation", "department"):
        if key in doc:
            lines.append(_line(0, key, doc[key], f"instead of defaults.{key} in idamconf.yaml"))
    lines += _items(0, "owners", doc["owners"], "user principal names")
    if "environments" in doc:
        lines.append(_line(0, "environments", doc["environments"], "where it is created; omit: every one"))
    if "appRoles" in doc:
        lines.append("appRoles:")
        for role in doc["appRoles"]:
            lines += _role_lines(role, answers.name, codes)
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != doc:
        raise ValueError(f"scaffolded YAML for '{answers.name}' does not load back to its answers")
    return text


def _role_lines(role: dict, application: str, codes: tuple) -> list[str]:
    lines = [_line(2, "- displayName", role["displayName"]),
             _line(4, "value", role["value"], "sent in the roles claim")]
    if "description" in role:
        lines.append(_line(4, "description", role["description"]))
    package = role.get("accessPackage")
    if package is None:
        return lines
    named = package_name(*codes, application, role["displayName"])
    lines.append(_line(4, "accessPackage:", None, f"named {named}"))
    lines += _items(6, "approvers", package["approvers"], "the organisation requires at least two")
    review = package.get("accessReview")
    if review:
        lines.append(_line(6, "accessReview:", None))
        lines += _items(8, "reviewers", review["reviewers"], "at least two")
        days = review["frequencyDays"]
        schedule = review_schedule(days)
        lines.append(_line(8, "frequencyDays", days, schedule.label if schedule else None))
    return lines


def _items(indent: int, key: str, values: list, comment: str | None = None) -> list[str]:
    return [_line(indent, f"{key}:", None, comment)] + [f"{' ' * (indent + 2)}- {_scalar(v)}" for v in values]


def _line(indent: int, key: str, value, comment: str | None = None) -> str:
    text = " " * indent + (key if value is None else f"{key}: {_scalar(value)}")
    if comment:
        text = f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}"
    return text


def _scalar(value) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
    return dumped.removesuffix("\n").removesuffix("\n...")
