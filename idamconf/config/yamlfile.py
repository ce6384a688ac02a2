"""YAML with positions: values plus the line and column of every key and value, and the checks PyYAML skips.

PyYAML keeps the last of two duplicate keys silently; here that is an error. Files are bounded in size, in
nesting depth and in how many nodes alias expansion may produce (an alias bomb stops at the limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import re

import yaml

from ..diagnostics import Diagnostic

MAX_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 40
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = {tag: yaml.constructor.SafeConstructor.yaml_constructors[tag] for tag in
            ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
             "tag:yaml.org,2002:str")}
_STR = "tag:yaml.org,2002:str"
_PLAIN_STRING_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_COLLECTION_TAGS = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}

SECRET_NAME = re.compile(r"secret|password|passphrase|private.?key|api.?key|token", re.IGNORECASE)


def secret_path(path: tuple) -> bool:
    """Whether a value sits under a key named like a secret: such a value is never repeated in a message."""
    names = [part for part in path if isinstance(part, str)]
    return bool(names) and bool(SECRET_NAME.search(names[-1]))


@dataclass
class Document:
    file: str  # as shown to the user
    value: object
    value_marks: dict = field(default_factory=dict)  # path -> (line, column) of the value
    key_marks: dict = field(default_factory=dict)  # path -> (line, column) of the key naming it

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """The closest known position for `path` (falling back to its parents)."""
        marks = self.key_marks if key else self.value_marks
        while path not in marks and path:
            path = path[:-1]
        return marks.get(path, (1, 1))

    def diagnostic(self, path: tuple, summary: str, fix: str = "", key: bool = False,
                   severity: str = "error") -> Diagnostic:
        line, column = self.where(path, key)
        return Diagnostic(summary, fix, self.file, line, column, render_path(path), severity)


def render_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Builder:
    def __init__(self, document: Document):
        self.document = document
        self.problems: list[Diagnostic] = []
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node, path: tuple, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _TooLarge(node, "nodes" if self.nodes > MAX_NODES else "depth")
        mark = node.start_mark
        self.document.value_marks[path] = (mark.line + 1, mark.column + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:  # most nodes, and most of them plain strings: the fast path
            return node.value if node.tag == _STR else self.scalar(node, path)
        if kind in _COLLECTION_TAGS and node.tag != _COLLECTION_TAGS[kind]:
            self._unsupported_tag(node, path)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,), depth + 1) for index, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node, path: tuple, depth: int) -> dict:
        result: dict = {}
        key_marks = self.document.key_marks
        for key_node, value_node in node.value:
            mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(Diagnostic("only plain keys are supported here (no '<<' merges or complex keys)",
                                                "write the keys out in full", self.document.file, *mark,
                                                render_path(path)))
                continue
            key = key_node.value if key_node.tag == _STR else str(self.scalar(key_node, path))
            where = path + (key,)
            if key in result:
                first = key_marks[where]
                self.problems.append(Diagnostic(
                    f"duplicate key '{key}' (first set on line {first[0]}); YAML would silently keep only the last",
                    f"remove one of the two '{key}' entries", self.document.file, *mark, render_path(path)))
                continue
            key_marks[where] = mark
            result[key] = self.build(value_node, where, depth + 1)
        return result

    def scalar(self, node, path: tuple):
        if node.tag in _PLAIN_STRING_TAGS:
            return node.value
        construct = _SCALARS.get(node.tag)
        if construct is None:
            return self._unsupported_tag(node, path)
        try:
            return construct(self.constructor, node)
        except (ValueError, KeyError, IndexError, TypeError, yaml.YAMLError):
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            shown = "the value" if secret_path(path) else f"'{node.value}'"
            self.problems.append(Diagnostic(f"{shown} cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                                            "remove the tag, or write a value of that type", self.document.file,
                                            line, column, render_path(path)))
            return None

    def _unsupported_tag(self, node, path: tuple) -> None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Diagnostic(f"unsupported YAML tag {node.tag}", "remove the tag: write plain values",
                                        self.document.file, line, column, render_path(path)))


class _TooLarge(Exception):
    def __init__(self, node, what: str):
        self.node, self.what = node, what


def load(path: Path, shown_as: str) -> tuple[Document | None, list[Diagnostic]]:
    """Read one YAML file. Returns the document (None if unreadable) and every problem found."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Diagnostic(f"cannot read file: {error.strerror}", "check the path and its permissions", shown_as)]
    if len(raw) > MAX_BYTES:
        return None, [Diagnostic(f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                                 "split it: one application per file", shown_as)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Diagnostic(f"not valid UTF-8 (byte 0x{raw[error.start]:02x})", "save the file as UTF-8",
                                 shown_as, line, 1)]
    return parse(text, shown_as)


def parse(text: str, shown_as: str) -> tuple[Document | None, list[Diagnostic]]:
    document = Document(shown_as, None)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as error:
        return None, [_syntax_error(error, shown_as, text)]
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        return None, [Diagnostic("more than one YAML document ('---') in this file", "keep one document per file",
                                 shown_as, line, 1)]
    if not nodes or nodes[0] is None:
        return document, []
    builder = _Builder(document)
    try:
        document.value = builder.build(nodes[0], ())
    except _TooLarge as error:
        limit = f"more than {MAX_NODES:,} values (an alias bomb?)" if error.what == "nodes" else \
            f"nested more than {MAX_DEPTH} levels deep"
        line = error.node.start_mark.line + 1
        return None, [Diagnostic(f"document expands to {limit}", "remove the anchors/aliases or the deep nesting",
                                 shown_as, line, error.node.start_mark.column + 1)]
    return document, builder.problems


def _syntax_error(error: yaml.YAMLError, shown_as: str, text: str) -> Diagnostic:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow: it has a position, no mark
        position = min(error.position, len(text))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        return Diagnostic(f"character {ord(error.character) if isinstance(error.character, str) else error.character:#04x} "
                          "is not allowed in YAML", "remove the control character (save the file as UTF-8 text)",
                          shown_as, line, column)
    problem = getattr(error, "problem", None) or str(error)
    lines = text.splitlines()
    tabbed = 0 < line <= len(lines) and "\t" in lines[line - 1]
    fix = "indent with spaces, not tabs" if tabbed else \
        "fix the YAML syntax at this position (check indentation, quotes and colons)"
    context = getattr(error, "context", None)
    summary = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Diagnostic(summary, fix, shown_as, line, column)
