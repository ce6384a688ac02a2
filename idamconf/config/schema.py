"""JSON Schema validation whose errors read as diagnostics: position, what is wrong, how to fix it."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostic
from .schemacheck import Unsupported, compile_schema, ecma_pattern
from .secrets import NOT_SHOWN, secret_path, secret_shape, shown
from .yamlfile import Document, render_path

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
_TYPES = {"string": "a string", "array": "a list", "object": "a mapping", "boolean": "true or false",
          "integer": "a whole number", "number": "a number"}


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _decider(name: str):
    """The compiled schema (see schemacheck): True, False or None (undecided); None if it cannot be compiled."""
    try:
        return compile_schema(schema(name))
    except Unsupported:
        return None


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator, validators

    # JSON Schema counts 180.0 as an integer; a configuration should say 180 (Graph would be sent "P180.0D").
    types = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool))
    strict = validators.extend(Draft202012Validator, {"pattern": _pattern}, type_checker=types)
    return strict(schema(name))


def _pattern(validator, pattern: str, instance, schema):
    """`pattern` as JSON Schema means it (schemacheck.ecma_pattern: `$` ends the text, never a line before it)."""
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def validate(document: Document, name: str) -> list[Diagnostic]:
    decide = _decider(name)
    if decide is not None and decide(document.value) is True:
        return []  # jsonschema (slow, and a slow import) only explains documents that have something to explain
    problems: list[Diagnostic] = []
    for error in sorted(_validator(name).iter_errors(document.value), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_explain(document, error))
    return problems


def _explain(document: Document, error) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    rule, sub = error.validator, error.schema
    fix = sub.get("x-fix", "") if isinstance(sub, dict) else ""
    if rule == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(sub.get("properties", {}))
        return [_unknown_key(document, path, key, allowed) for key in error.instance if key not in allowed]
    if rule == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a key"
        hint = _property_hint(sub, missing)
        return [document.diagnostic(path, f"missing required key '{missing}'", f"add {missing}: {hint}")]
    if rule == "type":
        wanted = sub["type"] if isinstance(sub["type"], str) else sub["type"][0]
        found = _describe(error.instance)
        return [document.diagnostic(path, f"expected {_TYPES.get(wanted, wanted)}, found {found}",
                                    fix or _example_fix(sub, wanted))]
    if rule == "enum":
        choices = [str(choice) for choice in sub["enum"]]
        close = difflib.get_close_matches(str(error.instance), choices, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return [document.diagnostic(path, f"{shown(path, error.instance)} is not one of {', '.join(choices)}",
                                    f"{hint}choose one of {', '.join(choices)}")]
    if rule == "oneOf" and error.context:
        fitting = _alternative_of_its_kind(error)
        if fitting:  # the one alternative of the value's kind: what is wrong with the value as that
            return [problem for sub_error in fitting for problem in _explain(document, sub_error)]
    if rule == "propertyNames" or "propertyNames" in error.schema_path:
        line, column = document.where(path + (error.instance,), key=True)
        return [Diagnostic(f"{shown((), error.instance)} is not a valid name", fix, document.file, line, column,
                           render_path(path))]
    summary = _summary(rule, error, secret_path(path) or bool(secret_shape(error.instance)))
    return [document.diagnostic(path, summary, fix or sub.get("description", "") if isinstance(sub, dict) else "")]


def _alternative_of_its_kind(error) -> list:
    """Of a `oneOf` the value matches none of, the errors of the one alternative of the value's own kind (a mapping
    where the others are strings), if exactly one is: saying what is wrong with it as that beats "not valid under
    any of the given schemas". An alternative is of another kind when it refuses the value itself by type or const."""
    alternatives: dict[int, list] = {}
    for sub_error in error.context:
        alternatives.setdefault(sub_error.relative_schema_path[0], []).append(sub_error)
    of_its_kind = [errors for errors in alternatives.values()
                   if not any(e.validator in ("type", "const", "enum") and not e.relative_path for e in errors)]
    return of_its_kind[0] if len(of_its_kind) == 1 else []


def _unknown_key(document: Document, path: tuple, key: str, allowed: list[str]) -> Diagnostic:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    fix = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
    line, column = document.where(path + (key,), key=True)
    if secret_shape(key):  # a secret pasted where a key goes: never repeated (config/secrets.py)
        return Diagnostic(f"unknown key (not shown: it looks like {secret_shape(key)})", "remove it from the file and "
                          "rotate it (it is in the repository's history)", document.file, line, column,
                          render_path(path))
    return Diagnostic(f"unknown key '{key}'", fix, document.file, line, column, render_path(path))


def _summary(rule: str, error, secret: bool = False) -> str:
    value = error.instance
    quoted = NOT_SHOWN if secret else f"'{value}'" if isinstance(value, str) else json.dumps(value)[:80]
    return {
        "pattern": f"{quoted} is not a valid value here",
        "minItems": "the list is empty" if value == [] else f"the list needs at least {error.validator_value} item(s)",
        "maxItems": f"the list has {len(value) if isinstance(value, list) else '?'} items, more than "
                    f"{error.validator_value}",
        "uniqueItems": "the list has duplicate entries",
        "minLength": "the value is empty",
        "maxLength": f"{quoted[:60]}… is longer than {error.validator_value} characters",
        "minProperties": "the mapping is empty",
        "oneOf": f"{quoted} is not a valid value here",
    }.get(rule, f"{NOT_SHOWN} breaks the rule '{rule}'" if secret else error.message)


def _property_hint(sub: dict, name: str) -> str:
    prop = sub.get("properties", {}).get(name, {})
    examples = prop.get("examples")
    if examples:
        return json.dumps(examples[0])
    return prop.get("description", "...")


def _example_fix(sub: dict, wanted: str) -> str:
    examples = sub.get("examples")
    if examples:
        return f"write {_TYPES.get(wanted, wanted)}, e.g. {json.dumps(examples[0])}"
    return f"write {_TYPES.get(wanted, wanted)}"


def _describe(value) -> str:
    if value is None:
        return "nothing (an empty value)"
    names = {str: "a string", bool: "true/false", int: "a whole number", float: "a decimal number", list: "a list",
             dict: "a mapping"}
    return names.get(type(value), type(value).__name__)
