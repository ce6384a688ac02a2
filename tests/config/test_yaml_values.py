"""The loader's fast path reads most files without positions (yamlfile._Values) and with a short-cut in tag
resolution (yamlfile._Loader); the careful path (yamlfile._Builder) reads the rest and explains them. These check
that the fast path changes nothing a user sees: the same values, the same tags, the same positions when a message
needs one, and every document with something to explain taken by the careful path.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from idamconf.config import yamlfile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROPERTY = settings(deadline=None, database=None, max_examples=300)

SCALAR_TEXT = st.sampled_from(["yes", "No", "~", "null", "", "1", "-1", "+1", "0x1F", "0o17", "1_000", "1e3", ".5",
                               ".inf", "-.Inf", ".NaN", "2024-01-01", "2024-01-01 10:00:00", "<<", "=", "true",
                               "On", "off", "Y", "n", "é", "ünïcode", "a:b", "12:30", "190:20:30", "!", "&", "*"]) \
    | st.text(alphabet="abcyYnNtTfFoO~0123456789.+-_:<=eE ", max_size=10)
DOCUMENT = st.recursive(
    SCALAR_TEXT.map(lambda text: yaml.safe_dump(text).removesuffix("\n...\n").strip())
    | SCALAR_TEXT.map(lambda text: text.strip() or "x"),
    lambda children: st.lists(children, min_size=1, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
    | st.lists(st.tuples(SCALAR_TEXT.map(lambda t: t.strip().replace(":", "") or "k"), children), min_size=1,
               max_size=4).map(lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
    max_leaves=12)


def careful(text: str):
    """What the careful path gives for a document: its value and its problems."""
    node = yaml.compose(text, Loader=yamlfile._Loader)
    builder = yamlfile._Builder("f.yaml")
    return builder.build(node, ()), builder.problems


def tags(node) -> list:
    """Every node's tag and scalar value, in document order."""
    if isinstance(node, yaml.ScalarNode):
        return [(node.tag, node.value)]
    if isinstance(node, yaml.MappingNode):
        return [node.tag] + [tag for pair in node.value for part in pair for tag in tags(part)]
    return [node.tag] + [tag for item in node.value for tag in tags(item)]


@PROPERTY
@given(DOCUMENT)
def test_tags_resolve_as_pyyaml_resolves_them(text):
    try:
        ours = yaml.compose(text, Loader=yamlfile._Loader)
    except yaml.YAMLError:
        return
    assert tags(ours) == tags(yaml.compose(text, Loader=yamlfile._SafeLoader))  # the loader it refines


@PROPERTY
@given(DOCUMENT)
def test_fast_path_gives_the_careful_value_or_leaves_the_document_to_it(text):
    try:
        value, problems = careful(text)
    except yaml.YAMLError:
        return
    document, found = yamlfile.parse(text, "f.yaml")
    assert repr(document.value) == repr(value)  # repr: NaN is not equal to itself
    assert found == problems


def test_documents_with_something_to_explain_take_the_careful_path():
    for text in ["a: 1\na: 2\n", "? [x]\n: y\n", "<<: {a: 1}\n", "a: !!int many\n", "a: !custom x\n",
                 "a: !!seq x\n", "x: &a [1]\ny: *a\n" * 1 + "z: *a\n"]:
        node = yaml.compose(text, Loader=yamlfile._Loader)
        _, problems = careful(text)
        try:
            yamlfile._Values().build(node)
            assert not problems, text  # the fast path may only take documents the careful path has nothing to say on
        except yamlfile._Irregular:
            pass


def test_positions_found_later_are_the_careful_path_s():
    for path in sorted((EXAMPLES / "applications").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        document, problems = yamlfile.parse(text, path.name)
        assert not problems and document.positions.values is None  # not looked up yet
        builder = yamlfile._Builder(path.name)
        builder.build(yaml.compose(text, Loader=yamlfile._Loader), ())
        for where in builder.values:
            assert document.where(where) == builder.values[where]
        for where in builder.keys:
            assert document.where(where, key=True) == builder.keys[where]
