"""YAML with positions: values, the line and column of every key and value (found when a message needs one), and
the checks PyYAML skips.

PyYAML keeps the last of two duplicate keys silently; here that is an error. Files are bounded in size, in
nesting depth and in how many nodes alias expansion may produce (an alias bomb stops at the limit).
"""

from __future__ import annotations

import hashlib
import os
import re
from contextvars import ContextVar
from sys import intern
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Diagnostic
from . import secrets

MAX_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 40
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The first characters for which the safe loader's implicit resolvers might give a plain scalar a type other than
# string (true, null, 1.5, 2024-01-01, ...): a plain scalar starting with any other character is a string.
_TYPED_FIRST = frozenset(_SafeLoader.yaml_implicit_resolvers)


class _Loader(_SafeLoader):
    """PyYAML's safe loader, resolving the tags of untagged scalars as PyYAML does, only faster.

    PyYAML resolves every untagged scalar in Python, trying the regular expressions registered for the scalar's
    first character; that was a third of parsing. With no path resolvers registered (the safe loader has none),
    `BaseResolver.resolve` gives a quoted scalar, or a plain one whose first character has no resolver, the string
    tag; and a plain scalar's tag depends on its text alone, so the answers for the texts seen (keys, mostly) are
    kept. tests/config/test_yaml_values.py checks the tags against PyYAML's.
    """

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers or None in _TYPED_FIRST:
            return super().resolve(kind, value, implicit)
        if not implicit[0] or (value and value[0] not in _TYPED_FIRST):
            return _STR
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_RESOLVED) < _RESOLVED_MOST:
                _RESOLVED[value] = tag
        return tag


_RESOLVED: dict[str, str] = {}  # plain scalar text -> its tag
_RESOLVED_MOST = 10_000

_SCALARS = {tag: yaml.constructor.SafeConstructor.yaml_constructors[tag] for tag in
            ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
             "tag:yaml.org,2002:str")}
_STR = "tag:yaml.org,2002:str"
_PLAIN_STRING_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_COLLECTION_TAGS = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}

# Whether a warning's line and column are looked up when it is made (config/load.read's `warnings`): a plan or an
# apply shows a configuration's problems only when one of them is an error, and then reads it again with them.
PLACING_WARNINGS: ContextVar[bool] = ContextVar("placing_warnings", default=True)


class Positions:
    """Where each value and key of one file is written: line and column by path.

    Most files are valid, and a valid file's positions are never shown, so they are found only when a message needs
    one: by reading the file's text again, this time recording them (`_Builder`). The text is kept for that; sent
    to another process (from the processes that read a large configuration), only the file's path goes, and the
    file is read again if a position is needed.
    """

    __slots__ = ("file", "_text", "_origin", "values", "keys")

    def __init__(self, file: str, text: str | None, origin: Path | str | None = None, values: dict | None = None,
                 keys: dict | None = None):
        self.file, self._text, self._origin = file, text, origin
        self.values, self.keys = values, keys  # path -> (line, column); None until needed

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """The closest known position for `path` (falling back to its parents)."""
        if self.values is None:
            self.values, self.keys = _marks(self._source(), self.file)
        marks = self.keys if key else self.values
        while path not in marks and path:
            path = path[:-1]
        return marks.get(path, (1, 1))

    def forget(self) -> None:
        """Let go of the positions found so far: a large configuration's warnings (one per file, say) would otherwise
        keep every such file's positions for as long as its model lives (55 MB at 3,334 files, session 52)."""
        self.values = self.keys = None

    def _source(self) -> str:
        if self._text is not None or self._origin is None:
            return self._text or ""
        try:
            return Path(self._origin).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # gone or changed since it was read: positions unknown
            return ""

    def __reduce__(self):  # without marks that may never be needed, and without the text if it can be read again;
        # the path as text: 10,000 Path objects, rebuilt by the process making the models, held ~4 MB there
        origin = None if self._origin is None else str(self._origin)
        return Positions, (self.file, None if origin is not None else self._text, origin)


@dataclass
class Document:
    file: str  # as shown to the user
    value: object
    positions: Positions | None = None

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """The closest known position for `path` (falling back to its parents); (1, 1) if unknown."""
        return self.positions.where(path, key) if self.positions is not None else (1, 1)

    def diagnostic(self, path: tuple, summary: str, fix: str = "", key: bool = False,
                   severity: str = "error") -> Diagnostic:
        line, column = self.where(path, key) if severity == "error" or PLACING_WARNINGS.get() else (0, 0)
        return Diagnostic(summary, fix, self.file, line, column, render_path(path), severity)


def render_path(path: tuple) -> str:
    """`appRoles[1].value`; a key shaped like a secret (one pasted where a key goes) is never repeated."""
    out = ""
    for part in path:
        if isinstance(part, str) and secrets.secret_shape(part):
            part = "(not shown: it looks like a secret)"
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Builder:
    """Values with the position of every key and value, and a diagnostic for everything PyYAML would let pass."""

    def __init__(self, file: str):
        self.file = file
        self.values: dict = {}  # path -> (line, column) of the value
        self.keys: dict = {}  # path -> (line, column) of the key naming it
        self.problems: list[Diagnostic] = []
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node, path: tuple, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _TooLarge(node, "nodes" if self.nodes > MAX_NODES else "depth")
        mark = node.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
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
        key_marks = self.keys
        for key_node, value_node in node.value:
            mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(Diagnostic("only plain keys are supported here (no '<<' merges or complex keys)",
                                                "write the keys out in full", self.file, *mark,
                                                render_path(path)))
                continue
            key = key_node.value if key_node.tag == _STR else str(self.scalar(key_node, path))
            where = path + (key,)
            if key in result:
                first = key_marks[where]
                self.problems.append(Diagnostic(
                    f"duplicate key '{key}' (first set on line {first[0]}); YAML would silently keep only the last",
                    f"remove one of the two '{key}' entries", self.file, *mark, render_path(path)))
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
            self.problems.append(Diagnostic(f"{secrets.shown(path, node.value, 'the value')} cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                                            "remove the tag, or write a value of that type", self.file,
                                            line, column, render_path(path)))
            return None

    def _unsupported_tag(self, node, path: tuple) -> None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Diagnostic(f"unsupported YAML tag {node.tag}", "remove the tag: write plain values",
                                        self.file, line, column, render_path(path)))


class _TooLarge(Exception):
    def __init__(self, node, what: str):
        self.node, self.what = node, what


def load(path: Path, shown_as: str) -> tuple[Document | None, list[Diagnostic]]:
    """Read one YAML file. Returns the document (None if unreadable) and every problem found."""
    document, problems, _ = load_with_digest(path, shown_as)
    return document, problems


def load_with_digest(path: Path, shown_as: str) -> tuple[Document | None, list[Diagnostic], bytes]:
    """`load`, and the sha256 of the file's content (b"" if it cannot be read)."""
    try:
        raw = read_bytes(path)
    except OSError as error:
        return None, [Diagnostic(f"cannot read file: {error.strerror}", "check the path and its permissions",
                                 shown_as)], b""
    digest = hashlib.sha256(raw).digest()
    if len(raw) > MAX_BYTES:
        return None, [Diagnostic(f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                                 "split it: one application per file", shown_as)], digest
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Diagnostic(f"not valid UTF-8 (byte 0x{raw[error.start]:02x})", "save the file as UTF-8",
                                 shown_as, line, 1)], digest
    document, problems = parse(text, shown_as)
    if document is not None and document.positions is not None:
        document.positions._origin = path
    return document, problems, digest


def read_bytes(path: Path | str) -> bytes:
    """A file's content, as `Path.read_bytes` gives it (and failing as it does, with an OSError), in half its time:
    without a file object around the descriptor. A configuration of 10,000 files is read whole for every plan
    (0.32 s against 0.16 s of CPU at 10,000 files)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while chunk := os.read(descriptor, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def parse(text: str, shown_as: str) -> tuple[Document | None, list[Diagnostic]]:
    """One YAML document's value. Its positions are kept for later (`Positions`) unless there is a problem to show."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as error:
        return None, [_syntax_error(error, shown_as, text)]
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        return None, [Diagnostic("more than one YAML document ('---') in this file", "keep one document per file",
                                 shown_as, line, 1)]
    if not nodes or nodes[0] is None:
        return Document(shown_as, None, Positions(shown_as, text, values={}, keys={})), []
    try:
        return Document(shown_as, _Values().build(nodes[0]), Positions(shown_as, text)), []
    except _Irregular:  # something to explain: build again, recording positions, to say where
        pass
    builder = _Builder(shown_as)
    try:
        value = builder.build(nodes[0], ())
    except _TooLarge as error:
        limit = f"more than {MAX_NODES:,} values (an alias bomb?)" if error.what == "nodes" else \
            f"nested more than {MAX_DEPTH} levels deep"
        line = error.node.start_mark.line + 1
        return None, [Diagnostic(f"document expands to {limit}", "remove the anchors/aliases or the deep nesting",
                                 shown_as, line, error.node.start_mark.column + 1)]
    positions = Positions(shown_as, text, values=builder.values, keys=builder.keys)
    return Document(shown_as, value, positions), builder.problems


def _marks(text: str, shown_as: str) -> tuple[dict, dict]:
    """The positions of every value and key of a document (parsed before, so known to be readable)."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
        builder = _Builder(shown_as)
        if nodes and nodes[0] is not None:
            builder.build(nodes[0], ())
        return builder.values, builder.keys
    except (yaml.YAMLError, _TooLarge):
        return {}, {}


class _Irregular(Exception):
    """The document has something `_Builder` would report (or must bound): `_Builder` reads it instead."""


_MAP, _SEQ = _COLLECTION_TAGS[yaml.MappingNode], _COLLECTION_TAGS[yaml.SequenceNode]
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Values:
    """The value of a regular document, and nothing else: no positions, no messages.

    The same value `_Builder` gives -- for string keys, the tags `_Builder` accepts, within the same size and depth
    bounds -- and `_Irregular` for anything else (a duplicate key, another kind of key, an unsupported tag, a value
    that does not convert, too many nodes or too deep), so that `_Builder` reads that document and explains it.
    tests/config/test_yaml_values.py checks that both give the same values.

    Its strings are interned: files repeat keys, member types, people and role names, and a model of 10,000
    applications kept 413,000 string objects for 187,000 distinct texts. Interned, each text is held once -- also
    in the process that makes the models, which `marshal` hands them to interned (config/application.py).
    """

    def __init__(self):
        self.nodes = 0

    def build(self, node, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _Irregular
        kind = type(node)
        if kind is yaml.ScalarNode:
            tag = node.tag
            if tag == _STR or tag in _PLAIN_STRING_TAGS:
                return intern(node.value)  # see _Values
            construct = _SCALARS.get(tag)
            if construct is None:
                raise _Irregular
            try:
                return construct(_CONSTRUCTOR, node)
            except (ValueError, KeyError, IndexError, TypeError, yaml.YAMLError):
                raise _Irregular from None
        if kind is yaml.MappingNode and node.tag == _MAP:
            result: dict = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR or key_node.value in result:
                    raise _Irregular
                result[intern(key_node.value)] = self.build(value_node, depth + 1)
            return result
        if kind is yaml.SequenceNode and node.tag == _SEQ:
            return [self.build(item, depth + 1) for item in node.value]
        raise _Irregular


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
