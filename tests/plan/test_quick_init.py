"""`@quick_init` (idamconf/quick_init.py): the classes a plan makes by the thousand are built by a faster __init__,
and must be exactly what dataclasses' own __init__ would have made."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from idamconf.config.model import Location
from idamconf.plan.model import NO_IDS, Action, Change, Resource
from idamconf.quick_init import quick_init

SHARED: dict = {}


def made(*, quick: bool):
    @dataclasses.dataclass(frozen=True, slots=True)
    class Sample:
        plain: str
        number: int = 3
        listed: list = dataclasses.field(default_factory=list)
        shared: dict = dataclasses.field(default_factory=lambda: SHARED, compare=False)

    return quick_init(Sample) if quick else Sample


@pytest.mark.parametrize("arguments", [("a",), ("a", 4), ("a", 4, [1]), ("a", 4, [1], {"x": 1})])
def test_the_fields_are_those_dataclasses_own_init_sets(arguments):
    quick, plain = made(quick=True)(*arguments), made(quick=False)(*arguments)
    assert [getattr(quick, f.name) for f in dataclasses.fields(quick)] == \
        [getattr(plain, f.name) for f in dataclasses.fields(plain)]
    keywords = dict(zip(("plain", "number", "listed", "shared"), arguments))
    again = made(quick=True)(**keywords)
    assert [getattr(again, f.name) for f in dataclasses.fields(again)] == \
        [getattr(quick, f.name) for f in dataclasses.fields(quick)]


def test_a_default_factory_makes_a_new_value_for_each_object_and_a_given_value_is_kept():
    Sample = made(quick=True)
    first, second = Sample("a"), Sample("b")
    assert first.listed == [] and first.listed is not second.listed and first.shared is SHARED
    given = [1]
    assert Sample("a", 1, given).listed is given


def test_it_stays_frozen_and_keeps_dataclasses_equality_hash_repr_and_replace():
    Sample = made(quick=True)
    one = Sample("a", 1, [], {"x": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.plain = "b"
    assert one == Sample("a", 1, [], {}) and repr(one) == "made.<locals>.Sample(plain='a', number=1, listed=[], " \
                                                           "shared={'x': 1})"
    assert dataclasses.replace(one, number=2).number == 2 and dataclasses.replace(one, number=2).plain == "a"
    assert hash(Location("f.yaml", ("a",))) == hash(Location("f.yaml", ("a",)))


def test_wrong_arguments_are_refused_as_before():
    Sample = made(quick=True)
    for call in (lambda: Sample(), lambda: Sample("a", 1, [], {}, "extra"), lambda: Sample("a", nothing=1),
                 lambda: Sample("a", plain="b")):
        with pytest.raises(TypeError):
            call()
    assert list(inspect.signature(Sample).parameters) == ["plain", "number", "listed", "shared"]


def test_what_it_cannot_reproduce_is_refused_when_the_class_is_defined():
    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        a: int

    @dataclasses.dataclass(slots=True)
    class Unfrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class KeywordOnly:
        a: int = dataclasses.field(kw_only=True)

    @dataclasses.dataclass(frozen=True, slots=True)
    class AfterInit:
        a: int

        def __post_init__(self):
            pass

    for cls in (Unslotted, Unfrozen, KeywordOnly, AfterInit):
        with pytest.raises(TypeError, match="quick_init"):
            quick_init(cls)


def test_the_plans_own_classes_are_built_by_it():
    resource = Resource("role", "app.a.role.R", "a", {"value": "R"})
    assert resource.ids is NO_IDS
    change = Change("app.a", "application", "a", Action.NOOP, None, None)
    assert change.ids == {} and change.ids is not Change("app.a", "application", "a", Action.NOOP, None, None).ids
    assert Resource.__init__.__qualname__ == "Resource.__init__" and "__quick_set0" in Resource.__init__.__globals__
