"""Export writes its files with its own small emitter (idamconf/export/emit.py): whatever the tenant holds, the file
must read back as exactly the document export meant, with PyYAML and with idamconf's own loader -- a display name
can never end its line, add a key or change a type."""

from __future__ import annotations

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from idamconf.config import yamlfile
from idamconf.export.document import Exported
from idamconf.export.emit import emit
from idamconf.export.write import text

PROPERTY = settings(deadline=None, database=None, max_examples=400, derandomize=True)
TRICKY = st.sampled_from(["yes", "No", "~", "null", "", "1", "-1", "0x1F", "1e3", ".inf", "2024-01-01", "12:30",
                          "a: b", "a #b", "#x", "- x", "x:", "x ", " x", "{tenantId}", "api://{appId}/x",
                          "https://a.contoso.com/signin-oidc", "O'Brien", "\"q\"", "\\", "é", "a\nb", "a\r\nb",
                          "\x85", "\u2028", "\ufeff", "\x7f", "\x00", "\t", "\ud800", "!tag", "&a", "*a", "|", ">",
                          "%x", "@x", "`x", "?", "[a]", "{a: 1}", "<<", "a\u2028b: c", "a\u2029b: c", "a\x85b: c"])
STRINGS = TRICKY | st.text(max_size=12)
SCALARS = STRINGS | st.booleans() | st.integers(-10**6, 10**6) | st.none()
DOCUMENTS = st.dictionaries(STRINGS, st.recursive(
    SCALARS, lambda children: st.lists(children, max_size=4) | st.dictionaries(STRINGS, children, max_size=4),
    max_leaves=16), max_size=6)


@PROPERTY
@given(DOCUMENTS)
def test_any_document_reads_back_as_itself(document):
    assume(distinct(document))
    written = emit(document)
    expected = kept(document)
    assert yaml.safe_load(written) == (expected or None)
    if document:
        parsed, problems = yamlfile.parse(written, "f.yaml")
        assert not problems and parsed.value == expected


def kept(value):
    """The value as a file can hold it: a lone surrogate (no UTF-8 file holds one) becomes U+FFFD."""
    if isinstance(value, str):
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    if isinstance(value, list):
        return [kept(item) for item in value]
    if isinstance(value, dict):
        return {kept(key): kept(item) for key, item in value.items()}
    return value


def distinct(value) -> bool:
    """Whether the keys of each mapping stay distinct as a file holds them: two keys of lone surrogates both become
    U+FFFD, and such a document has no file that reads back as itself (idamconf's loader refuses its duplicate)."""
    if isinstance(value, list):
        return all(map(distinct, value))
    if isinstance(value, dict):
        return len({kept(key) for key in value}) == len(value) and all(map(distinct, value.values()))
    return True


@PROPERTY
@given(st.lists(STRINGS, min_size=1, max_size=3), DOCUMENTS)
def test_notes_from_the_tenant_stay_comments(notes, document):
    """What a file cannot say is listed in comments at its top, quoting the tenant: it never becomes YAML."""
    written = text(Exported("x", document, notes), "nle", "../schemas/application.schema.json")
    assert yaml.safe_load(written) == (kept(document) or None)


def test_the_file_reads_as_a_person_writes_it():
    written = emit({"name": "orders-api", "owners": ["dave.finance@contoso.com"],
                    "identifierUris": ["api://{appId}"], "appRoles": [{"displayName": "Reader", "value": "Read",
                                                                      "allowedMemberTypes": ["User"]}],
                    "api": {"requestedAccessTokenVersion": 2}, "tags": [],
                    "servicePrincipal": {"hideFromUsers": True}})  # `true`: an editor reads YAML 1.2, where yes is text
    assert written == ("name: orders-api\nowners:\n  - dave.finance@contoso.com\nidentifierUris:\n"
                       "  - api://{appId}\nappRoles:\n  - displayName: Reader\n    value: Read\n"
                       "    allowedMemberTypes:\n      - User\napi:\n  requestedAccessTokenVersion: 2\ntags: []\n"
                       "servicePrincipal:\n  hideFromUsers: true\n")
