"""OData query options as Graph accepts them for the entity sets the emulator serves.

`parse_query` turns `$top`, `$skiptoken`, `$select` and `$filter` into a `Query`; the `$filter` grammar is the subset
Graph supports on these sets, compiled to an SQL condition over the stored JSON documents. Anything outside it is
answered 400 `Request_UnsupportedQuery`, never silently ignored.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field

from .errors import bad_request, unsupported_query

DEFAULT_PAGE = 100
MAX_PAGE = 999
KNOWN_OPTIONS = {"$top", "$skiptoken", "$select", "$filter"}


@dataclass(frozen=True)
class Query:
    top: int = DEFAULT_PAGE
    after_seq: int = 0
    after_key: str | None = None  # with `index`: the compared property's value in the last row of the page before
    select: tuple[str, ...] = ()
    where: str = ""
    params: tuple = field(default_factory=tuple)
    index: str = ""  # the store's index to page a range by (see `_FilterParser.paged_by`)
    key: str = ""  # with `index`: the indexed property's SQL expression
    exact: bool = False  # with `index`: found by an exact comparison (`eq`, `in`), not a range


def parse_query(params: dict[str, str], entity, scope: str) -> Query:
    """`entity` is an `EntitySet`: its `properties` bound `$select`, its `filterable` bounds `$filter`; `scope`: the
    list a `$skiptoken` must belong to (`list_scope`)."""
    for name in params:
        if name.startswith("$") and name not in KNOWN_OPTIONS:
            raise unsupported_query(f"Query option '{name}' is not supported by the idamconf emulator.")
    top = parse_top(params.get("$top"))
    select = parse_select(params.get("$select"), entity.properties, entity.odata_type)
    where, values, index, key, exact = ("", (), "", "", False)
    if params.get("$filter"):
        parser = _FilterParser(params["$filter"], entity.filterable, entity.odata_type, entity.guids)
        where, values, index, key, exact = parser.parse(), tuple(parser.params), parser.index, parser.key, parser.exact
    after, after_key = decode_place(params["$skiptoken"], scope, bool(index)) if "$skiptoken" in params else (0, None)
    return Query(top=top, after_seq=after, after_key=after_key, select=select, where=where, params=values,
                 index=index, key=key, exact=exact)


def parse_top(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"Invalid value '{raw}' for query option $top.")
    if int(raw) > MAX_PAGE:
        raise unsupported_query(f"Invalid page size specified: '{raw}'. Must be between 1 and {MAX_PAGE} inclusive.")
    return int(raw)


def parse_select(raw: str | None, properties: frozenset[str], odata_type: str) -> tuple[str, ...]:
    if not raw:
        return ()
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    for name in names:
        if name not in properties:
            raise bad_request(
                f"Parsing OData Select and Expand failed: Could not find a property named '{name}' on type "
                f"'{odata_type}'."
            )
    return names


def list_scope(path: str, query: dict[str, str]) -> str:
    """What a `$skiptoken` belongs to: the list (its path, parent included) and every query option but the page's
    place and size. Graph's skiptokens are opaque and good only in the nextLink that carries them (paging.md: use
    the whole URL); what Graph does with one moved to another list is not documented, so here a token given to
    another list -- another filter, `$select`, `$expand`, another parent's owners -- is refused with 400 (stricter
    than Graph is safe, laxer is not), rather than read as a place that means something else there."""
    options = sorted((name, value) for name, value in query.items() if name not in ("$skiptoken", "$top"))
    return hashlib.sha256(repr((path, options)).encode()).hexdigest()[:16]


def encode_skiptoken(place: int | tuple[int, str], scope: str) -> str:
    """The place a list's next page starts after -- a row's sequence number, or, for a list paged along an index
    (`Query.index`), its sequence number and the indexed property's value -- in the list `scope` names."""
    where = str(place) if isinstance(place, int) else f"{place[0]}:{place[1]}"
    text = f"idamconf-emulator:{scope}:{where}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_skiptoken(token: str, scope: str) -> int:
    """A place in a list paged in insertion order."""
    return decode_place(token, scope)[0]


def decode_place(token: str, scope: str, keyed: bool = False) -> tuple[int, str | None]:
    """(sequence number, the indexed property's value or None) of a `$skiptoken` made by `encode_skiptoken` for the
    list `scope` names, paged along an index (`keyed`) or in insertion order: a token of another list, or of the
    other kind, is refused."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, bound, seq, *key = raw.split(":", 3)
        if (prefix == "idamconf-emulator" and bound == scope and seq.isascii() and seq.isdigit()  # (seq >= 0)
                and bool(key) == keyed):
            if int(seq) < 1 << 63:  # an SQLite integer: a larger one is no place in a list
                return int(seq), (key[0] if key else None)
    except (ValueError, UnicodeDecodeError):
        pass
    raise bad_request("Invalid $skiptoken.")


# ----------------------------------------------------------------------------------------------------------- $filter
# A string literal is written unrolled -- runs of other characters between doubled quotes -- so that it matches, or
# fails, in one pass over the text: no way of reading `''` is ever tried twice.
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_TOKEN = re.compile(rf"\s*(?:('[^']*(?:''[^']*)*')|({_GUID}(?![\w-]))|([A-Za-z_][\w.]*)|(\(|\)|,|/|:))")


def _tokens(text: str) -> list[str]:
    """The filter's tokens, in time linear in its length (trailing blanks measured once, not after every token)."""
    out, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if not match:
            raise unsupported_query(f"Invalid $filter: cannot parse $filter near '{text[pos:pos + 20]}'.")
        out.append(match.group(0).strip())
        pos = match.end()
    return out


# The store's indexes of a property compared in any case, as `eq`, `in`, `ge` and `le` compare (store.py).
INDEXED = {"displayName": "objects_display_name_nocase", "appId": "objects_app_id_nocase"}
# Graph's known issues ("Some limitations apply to query parameters"): without the advanced query parameters (which
# the emulator does not serve), "when using the `in` operator, the request is limited to 15 expressions in the filter
# clause", and "when filtering using the `eq` operator, the maximum limit of the value to match is 120 characters ...
# even for properties like displayName on directory objects". Applied to directory objects' lists, where the page
# places them; the refusals' wording and code are inferred.
IN_VALUES = 15
EQ_LENGTH = 120
DIRECTORY_TYPES = frozenset(f"microsoft.graph.{name}" for name in ("application", "servicePrincipal", "user", "group",
                                                                   "administrativeUnit", "device"))


class _FilterParser:
    """expr := conj ('or' conj)* ; conj := atom ('and' atom)* ; atom := '(' expr ')' | comparison | function."""

    def __init__(self, text: str, filterable: dict[str, set[str]], odata_type: str, guids=frozenset()):
        self.resource = odata_type.rsplit(".", 1)[-1][:1].upper() + odata_type.rsplit(".", 1)[-1][1:]
        self.guids = guids  # Edm.Guid properties: compared with a GUID written bare, as OData writes one
        self.limited = odata_type in DIRECTORY_TYPES  # Graph's known limits on `in` and `eq` apply
        self.tokens = _tokens(text)
        self.pos = 0
        self.filterable = filterable
        self.params: list = []
        self.index = ""
        self.key = ""
        self.exact = False

    def parse(self) -> str:
        sql = self.expr()
        if self.pos != len(self.tokens):
            raise unsupported_query(f"Invalid $filter: unexpected '{self.tokens[self.pos]}' in $filter.")
        return sql

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token.lower() != expected):
            raise unsupported_query(f"Invalid $filter: expected '{expected or 'more'}' in $filter.")
        self.pos += 1
        return token

    def expr(self) -> str:
        return self._joined("or", self.conj)

    def conj(self) -> str:
        return self._joined("and", self.atom)

    def _joined(self, word: str, operand) -> str:
        """operand (word operand)*, as SQL."""
        parts = [operand()]
        while (self.peek() or "").lower() == word:
            self.take(word)
            parts.append(operand())
        return parts[0] if len(parts) == 1 else "(" + f" {word.upper()} ".join(parts) + ")"

    def atom(self) -> str:
        token = self.take()
        if token == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if token.lower() == "startswith" and self.peek() == "(":
            return self.starts_with()
        if self.peek() == "/":
            return self.any_lambda(token)
        return self.comparison(token)

    def literal(self, prop: str | None = None) -> str:
        """The value compared with `prop`: a string in quotes, or for an Edm.Guid property a GUID written bare --
        Graph refuses a quoted one ("operand types 'Edm.Guid' and 'Edm.String'", as users quote its answer;
        approleassignment.md's example writes `resourceId eq 8e881353-...`)."""
        token = self.take()
        if prop in self.guids:
            if not re.fullmatch(_GUID, token):
                raise unsupported_query("Invalid filter clause: A binary operator with incompatible types was "
                                        "detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator "
                                        "kind 'Equal'.")
            return token
        if not (token.startswith("'") and token.endswith("'") and len(token) >= 2):
            raise unsupported_query(f"Invalid $filter: expected a string literal, found '{token}'.")
        return token[1:-1].replace("''", "'")

    def matched(self, prop: str | None = None) -> str:
        """The value an `eq` compares with: on a directory object, at most 120 characters."""
        value = self.literal(prop)
        if self.limited and len(value) > EQ_LENGTH:
            raise unsupported_query(f"Invalid $filter: the value an 'eq' matches is {len(value)} characters long; at "
                                    f"most {EQ_LENGTH} are allowed.")
        return value

    def allow(self, prop: str, op: str) -> str:
        if op not in self.filterable.get(prop, set()):
            raise unsupported_query(
                f"Unsupported or invalid query filter clause specified for property '{prop}' of resource "
                f"'{self.resource}'."
            )
        return f"json_extract(doc, '$.{prop}')"

    def comparison(self, prop: str) -> str:
        op = self.take().lower()
        column = self.allow(prop, op)
        if op == "eq":
            self.params.append(self.matched(prop))
            self.paged_by(prop, exact=True)
            return f"{column} = ? COLLATE NOCASE"
        if op in ("ge", "le"):
            self.paged_by(prop, exact=False)
            return self.ranged(column, ">=" if op == "ge" else "<=")
        if op == "in":
            self.paged_by(prop, exact=True)
            self.take("(")
            values = [self.literal()]
            while self.peek() == ",":
                self.take(",")
                values.append(self.literal())
            self.take(")")
            if self.limited and len(values) > IN_VALUES:
                raise unsupported_query(f"Invalid $filter: an 'in' of {len(values)} values; at most {IN_VALUES} are "
                                        "allowed.")
            self.params.extend(values)
            return f"{column} COLLATE NOCASE IN ({', '.join('?' * len(values))})"
        raise unsupported_query(f"Invalid $filter: operator '{op}' is not supported.")

    def paged_by(self, prop: str, exact: bool) -> None:
        """Checked row by row, in a list's insertion order, a comparison would read every document of the list for
        every page (of each of the streams a client splits a list into: graph/streams.py; or for one
        `appId in (...)` of a pull request's plan: 55 ms at 10,000 service principals, against ~1 ms). A filter
        that is all conjunctions is paged along the index of a property it compares instead (`INDEXED`; order and
        continuation: store.py `_along`); an exact comparison (`eq`, `in`) is preferred to a range, as it
        finds fewer."""
        if prop in INDEXED and "or" not in (token.lower() for token in self.tokens) and (exact or not self.index):
            self.index, self.key, self.exact = INDEXED[prop], f"json_extract(doc, '$.{prop}')", exact

    def ranged(self, column: str, op: str) -> str:
        """A range of a string, compared as `eq` compares them (in any case)."""
        self.params.append(self.literal())
        return f"{column} {op} ? COLLATE NOCASE"

    def starts_with(self) -> str:
        self.take("(")
        prop = self.take()
        column = self.allow(prop, "startswith")
        self.take(",")
        prefix = self.literal()
        self.take(")")
        self.params.append(prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        like = f"{column} LIKE ? ESCAPE '\\'"
        folded = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in prefix)  # as NOCASE folds
        if prop not in INDEXED or not folded or folded[-1] == chr(0x10FFFF):
            return like
        # Also the range of the prefix, in the property's index order (NOCASE, as LIKE compares ASCII letters), so
        # that a list split by prefixes (graph/streams.py: a service principal's appId) is paged by the index.
        self.paged_by(prop, exact=False)
        after = ord(folded[-1]) + 1
        self.params += [folded, folded[:-1] + chr(0xE000 if 0xD800 <= after <= 0xDFFF else after)]  # (no surrogate)
        return f"({like} AND {column} >= ? COLLATE NOCASE AND {column} < ? COLLATE NOCASE)"

    def any_lambda(self, prop: str) -> str:
        self.take("/")
        self.take("any")
        self.take("(")
        var = self.take()
        self.take(":")
        if self.take() != var:
            raise unsupported_query("Invalid $filter: the lambda variable must be compared directly.")
        self.take("eq")
        self.allow(prop, "any")
        self.params.append(self.matched())
        self.take(")")
        # Page along (kind, seq) and look each row's members up by index, rather than sorting all matches by seq
        # (or rebuilding the list of all matches) on every page. An identifier URI is found in any case, as Graph
        # keeps them unique (directory.py): a look-up finds every application whose URI a write would be refused.
        value = "lower(m.value) = lower(?)" if prop == "identifierUris" else "m.value = ?"
        return (f"EXISTS (SELECT 1 FROM members AS m WHERE m.kind = objects.kind AND m.id = objects.id "
                f"AND m.prop = '{prop}' AND {value})")


# ----------------------------------------------------------------------------------------------------------- $expand
_EXPAND_ITEM = re.compile(r"^(\w+)(?:\((.*)\))?$", re.S)


def parse_expand(raw: str | None, allowed: dict, odata_type: str) -> dict:
    """`resourceRoleScopes($expand=role,scope),catalog` -> {"resourceRoleScopes": {"role": {}, "scope": {}},
    "catalog": {}}. `allowed` has the same shape: what may be expanded, and what inside each."""
    return _expand_items(raw, allowed, odata_type, _nested_expand)


def _expand_items(raw: str | None, allowed: dict, odata_type: str, nested) -> dict:
    """Each `name(options)` of a `$expand`, its options read by `nested(options, allowed[name], name)`."""
    expand: dict = {}
    for item in _split_top(raw or "", ","):
        if not item:
            continue
        match = _EXPAND_ITEM.match(item)
        if not match or match.group(1) not in allowed:
            raise bad_request(f"Parsing OData Select and Expand failed: Could not find a navigation property named "
                              f"'{item}' on type '{odata_type}'.")
        expand[match.group(1)] = nested(match.group(2), allowed[match.group(1)], match.group(1))
    return expand


def _nested_expand(options: str | None, allowed: dict, name: str) -> dict:
    nested: dict = {}
    for option in _split_top(options or "", ";"):
        if not option:
            continue
        key, _, value = option.partition("=")
        if key.strip() != "$expand":
            raise unsupported_query(f"Query option '{key.strip()}' is not supported inside $expand of '{name}'.")
        nested.update(parse_expand(value, allowed, name))
    return nested


def _split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise bad_request("Invalid $expand: unbalanced parentheses.")
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if depth:
        raise bad_request("Invalid $expand: unbalanced parentheses.")
    return [*parts, "".join(current).strip()]


def parse_directory_expand(raw: str | None, allowed: dict[str, frozenset[str]], odata_type: str) -> dict:
    """`owners($select=id,userPrincipalName)` -> {"owners": ("id", "userPrincipalName")}: `$expand` as Graph takes it
    on directory objects, one level deep with only `$select` nested. `allowed` maps each navigation property that may
    be expanded to the properties its nested `$select` may name."""
    return _expand_items(raw, allowed, odata_type, _nested_select)


def _nested_select(options: str | None, properties: frozenset[str], name: str) -> tuple[str, ...]:
    select: tuple[str, ...] = ()
    for option in _split_top(options or "", ";"):
        if not option:
            continue
        key, _, value = option.partition("=")
        if key.strip() != "$select":
            raise unsupported_query(f"Query option '{key.strip()}' is not supported inside $expand of '{name}' on "
                                    "directory objects: only $select is.")
        select = parse_select(value, properties, "microsoft.graph.directoryObject")
    return select
