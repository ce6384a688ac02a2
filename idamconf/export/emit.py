"""YAML text of an exported document, written directly: block style, lists indented under their key (as the
examples and a person write them), keys in the order given.

Why not `yaml.dump`: PyYAML's emitter is pure Python and costs ~7 ms an application -- at 10,000 applications
longer than the whole of a plan of the same tenant -- and libyaml's faster one cannot indent lists under their key.
An exported document holds only mappings, lists, strings, booleans, integers and None, so the emitter is small.

Every string comes from the tenant, so it is untrusted: it is written plain only when it is unmistakably one
string in block context -- a conservative character set, no `: ` or ` #`, and resolving to a string (`yes`,
`1.0`, `null` and `2026-01-01` are quoted) -- and double-quoted otherwise, with every character YAML would read
differently escaped (control characters, line breaks including NEL and the Unicode line and paragraph separators,
the byte-order mark). A display name can therefore never end its line or add a key. A lone surrogate (which a
JSON answer can carry, but no UTF-8 file, and libyaml refuses even escaped) is written as U+FFFD, the replacement
character: the only character of a tenant's value that export cannot keep.
tests/export/test_emit.py checks that `yaml.safe_load` reads back exactly what was emitted, for any document.
"""

from __future__ import annotations

import json
import re

import yaml

_PLAIN = re.compile(r"[A-Za-z0-9_./(][A-Za-z0-9 _.,;/@+()=:{}'&!?$-]*\Z")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
# Left unescaped by json.dumps but not read back as themselves inside a double-quoted YAML scalar.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def one_line(text: str) -> str:
    """Text for a comment line: whatever could end the line (or be read as anything but a comment) escaped."""
    return _BREAKING.sub(lambda found: f"\\u{ord(found.group()):04x}", text)  # a surrogate too: it is ASCII now


_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def emit(document: dict) -> str:
    lines: list[str] = []
    _mapping(document, 0, lines)
    return "".join(line + "\n" for line in lines)


def _mapping(mapping: dict, indent: int, lines: list[str]) -> None:
    for key, value in mapping.items():
        _entry(f"{' ' * indent}{scalar(str(key))}:", value, indent + 2, lines)


def _entry(head: str, value, indent: int, lines: list[str]) -> None:
    """`head` (`key:` or `-`) and its value: inline if a scalar or empty, else on the lines below at `indent`."""
    if isinstance(value, dict) and value:
        lines.append(head)
        _mapping(value, indent, lines)
    elif isinstance(value, list) and value:
        lines.append(head)
        _sequence(value, indent, lines)
    else:
        lines.append(f"{head} {scalar(value)}")


def _sequence(items: list, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:  # `- first: value`, the other keys under it
            nested: list[str] = []
            _mapping(item, indent + 2, nested)
            lines.append(f"{pad}- {nested[0][indent + 2:]}")
            lines += nested[1:]
        else:
            _entry(f"{pad}-", item, indent + 2, lines)


def scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    text = _SURROGATE.sub("\ufffd", str(value))
    if _PLAIN.match(text) and ": " not in text and not text.endswith((" ", ":")) and \
            _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", quoted)
