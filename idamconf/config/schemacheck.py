"""A JSON Schema compiled to plain Python checks: is a document valid, yes or no, in microseconds.

`jsonschema` walks a schema per document (about 4 ms for an application file, 4 s for a thousand) and costs a
noticeable import; almost every file is valid. So validation asks this first, and only a document it does not
find valid goes through `jsonschema`, whose errors become the diagnostics. The compiler covers the keywords
idamconf's schemas use, with `jsonschema`'s exact semantics (Draft 2020-12, integers that are whole numbers but not
decimals or booleans); a keyword it does not know makes `compile_schema` refuse, and a value it cannot decide
exactly (`uniqueItems` over numbers or booleans) is undecided: either way `jsonschema` decides.
tests/config/test_schemacheck.py checks that it agrees with `jsonschema` on random documents.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

Check = Callable[[object], bool]

ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "deprecated",
               "readOnly", "writeOnly", "x-fix"}


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this compiler does not implement."""


class _Undecided(Exception):
    """This value cannot be decided here exactly."""


def compile_schema(root: dict) -> Callable[[object], bool | None]:
    """A function answering, for a value, exactly what `jsonschema` would: True (no error) or False (some error);
    None when this compiler cannot decide it exactly. Raises `Unsupported` for schemas outside the compiled subset."""
    check = _Compiler(root).compile(root)

    def decide(value) -> bool | None:
        try:
            return check(value)
        except (_Undecided, RecursionError):
            return None

    return decide


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}
_SCALARS = (str, int, float, bool, type(None))


class _Compiler:
    def __init__(self, root: dict):
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        unknown = set(schema) - ANNOTATIONS - set(_KEYWORDS)
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        checks = [_KEYWORDS[keyword](self, schema, schema[keyword]) for keyword in schema if keyword in _KEYWORDS]
        checks = [check for check in checks if check is not None]
        if len(checks) == 1:
            return checks[0]

        def every(value) -> bool:
            for check in checks:
                if not check(value):
                    return False
            return True

        return every

    def ref(self, reference: str) -> Check:
        if not reference.startswith("#/"):
            raise Unsupported(f"$ref {reference}")
        if reference not in self.refs:
            cell: list[Check] = []
            self.refs[reference] = lambda value: cell[0](value)  # resolved once compiled (allows recursion)
            target = self.root
            for part in reference[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            cell.append(self.compile(target))
        return self.refs[reference]


# ------------------------------------------------------------------------------------------------------ keywords
def _type(compiler, schema, names) -> Check:
    names = [names] if isinstance(names, str) else names
    if any(name not in _TYPES for name in names):
        raise Unsupported(f"type {names}")
    tests = [_TYPES[name] for name in names]
    return tests[0] if len(tests) == 1 else (lambda value: any(test(value) for test in tests))


def _equal(one, two) -> bool:
    """jsonschema's equality for a scalar of the schema: booleans equal only booleans, 1 equals 1.0."""
    if isinstance(two, (list, dict)):
        return False
    if isinstance(one, bool) or isinstance(two, bool):
        return one is two
    return one == two


def _enum(compiler, schema, choices) -> Check:
    if not all(isinstance(choice, _SCALARS) for choice in choices):
        raise Unsupported("enum of non-scalars")
    return lambda value: any(_equal(choice, value) for choice in choices)


def _const(compiler, schema, constant) -> Check:
    return _enum(compiler, schema, [constant])


# ECMA-262's white space and line terminators (what `\s` matches there): Python's `\s` adds U+001C-U+001F and U+0085
# and lacks U+FEFF. ECMA's `.` matches any character but a line terminator; Python's, any but "\n".
_ECMA_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_ECMA = {("$", False): "\\Z", (".", False): "[^\\n\\r\\u2028\\u2029]", ("\\s", False): f"[{_ECMA_SPACE}]",
         ("\\S", False): f"[^{_ECMA_SPACE}]", ("\\s", True): _ECMA_SPACE}


@lru_cache(maxsize=None)  # (a schema has a few dozen patterns; jsonschema's path asks for each per value)
def ecma_pattern(pattern: str) -> re.Pattern:
    """A schema's `pattern` as JSON Schema means it (ECMA-262), not as Python's `re` reads the same text: `$` ends the
    text (Python's also matches before a final line break: `^[a-z]+$` passed "fr\\n"), and `\\s`, `\\S` and `.` mean
    ECMA's white space and line terminators (`\\s` holds U+FEFF there, and `.` no "\\r"). The schemas' patterns use
    nothing else whose meaning differs; a `\\S` inside a character class, which has no such translation, is refused.
    (config/schema.py gives jsonschema the same.)"""
    out, in_class, index = [], False, 0
    while index < len(pattern):
        token = pattern[index:index + 2] if pattern[index] == "\\" else pattern[index]
        index += len(token)
        if token == "[" and not in_class:
            in_class = True
        elif token == "]" and in_class:
            in_class = False
        elif token == "\\S" and in_class:
            raise Unsupported(f"\\S in a character class: {pattern}")
        out.append(_ECMA.get((token, in_class), token))
    return re.compile("".join(out))


def _pattern(compiler, schema, pattern) -> Check:
    search = ecma_pattern(pattern).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _min_length(compiler, schema, limit) -> Check:
    return lambda value: not isinstance(value, str) or len(value) >= limit


def _max_length(compiler, schema, limit) -> Check:
    return lambda value: not isinstance(value, str) or len(value) <= limit


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _minimum(compiler, schema, limit) -> Check:
    return lambda value: not _number(value) or not value < limit


def _maximum(compiler, schema, limit) -> Check:
    return lambda value: not _number(value) or not value > limit


def _required(compiler, schema, names) -> Check:
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _properties(compiler, schema, properties) -> Check:
    checks = {name: compiler.compile(sub) for name, sub in properties.items()}

    def each_property(value) -> bool:
        if isinstance(value, dict):
            for name, item in value.items():
                check = checks.get(name)
                if check is not None and not check(item):
                    return False
        return True

    return each_property


def _additional_properties(compiler, schema, additional) -> Check:
    if "patternProperties" in schema:
        raise Unsupported("patternProperties")
    known = set(schema.get("properties", {}))
    if additional is False:
        return lambda value: not isinstance(value, dict) or all(name in known for name in value)
    check = compiler.compile(additional)
    return lambda value: not isinstance(value, dict) or all(check(item) for name, item in value.items()
                                                            if name not in known)


def _property_names(compiler, schema, names) -> Check:
    check = compiler.compile(names)
    return lambda value: not isinstance(value, dict) or all(check(name) for name in value)


def _min_properties(compiler, schema, limit) -> Check:
    return lambda value: not isinstance(value, dict) or len(value) >= limit


def _items(compiler, schema, items) -> Check:
    if "prefixItems" in schema or not isinstance(items, (dict, bool)):
        raise Unsupported("prefixItems or array-form items")
    check = compiler.compile(items)

    def each_item(value) -> bool:
        if isinstance(value, list):
            for item in value:
                if not check(item):
                    return False
        return True

    return each_item


def _min_items(compiler, schema, limit) -> Check:
    return lambda value: not isinstance(value, list) or len(value) >= limit


def _max_items(compiler, schema, limit) -> Check:
    return lambda value: not isinstance(value, list) or len(value) <= limit


def _unique(value: list) -> bool:
    """jsonschema's uniqueness, decided here for lists of strings and of mappings of strings (group references)."""
    keys = {_unique_key(item) for item in value}
    return len(keys) == len(value)


def _unique_key(item):
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and all(isinstance(v, str) for v in item.values()):
        return frozenset(item.items()), ()  # never equal to a string, as in jsonschema
    raise _Undecided  # numbers and booleans compare across types in jsonschema (1 == 1.0, True != 1)


def _unique_items(compiler, schema, unique) -> Check | None:
    if not unique:
        return None
    return lambda value: not isinstance(value, list) or _unique(value)


def _one_of(compiler, schema, alternatives) -> Check:
    checks = [compiler.compile(sub) for sub in alternatives]
    return lambda value: sum(1 for check in checks if check(value)) == 1


def _ref(compiler, schema, reference) -> Check:
    return compiler.ref(reference)


_KEYWORDS = {
    "type": _type, "enum": _enum, "const": _const, "pattern": _pattern, "minLength": _min_length,
    "maxLength": _max_length, "minimum": _minimum, "maximum": _maximum, "required": _required,
    "properties": _properties, "additionalProperties": _additional_properties, "propertyNames": _property_names,
    "minProperties": _min_properties, "items": _items, "minItems": _min_items, "maxItems": _max_items,
    "uniqueItems": _unique_items,
    "oneOf": _one_of, "$ref": _ref,
}
