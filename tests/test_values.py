"""The classes written with ``acctctl.values`` behave as ``@dataclass`` would generate them.

Each is compared with a reference dataclass made here from its own fields (frozen with
slots, or mutable with slots): the constructor's signature and defaults, ``repr``,
equality (and what it ignores), hashing, refusal to assign or delete a field, pickling
and copying, ``replace``, ``asdict``, ``__match_args__`` and ``__slots__``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import pickle
from typing import Any

import pytest

from acctctl import candidates, config, domain, rules
from acctctl.service import context
from acctctl.values import Frozen, Record, record, value

FROZEN: list[type[Any]] = [
    domain.Account,
    domain.User,
    domain.Partner,
    domain.Contract,
    domain.Subscription,
    domain.Notice,
    domain.Change,
    domain.HistoryEvent,
    domain.Terms,
    rules.Reason,
    rules.Unknown,
    rules.Facts,
    candidates.Candidates,
    context.Context,
    config.Settings,
]
MUTABLE: list[type[Any]] = [domain.AccountDocument, domain.DocumentStream]


@functools.cache
def reference(cls: type[Any]) -> type[Any]:
    """The dataclass ``@dataclass(frozen=..., slots=True)`` makes of the same fields."""
    specs = []
    for f in dataclasses.fields(cls):
        spec = dataclasses.field(
            default=f.default,
            default_factory=f.default_factory,
            compare=f.compare,
            repr=f.repr,
            hash=f.hash,
        )
        specs.append((f.name, f.type, spec))
    made = dataclasses.make_dataclass(
        cls.__name__,
        specs,
        frozen=issubclass(cls, Frozen),
        slots=True,
        namespace={"__doc__": cls.__doc__, "__module__": cls.__module__},
    )
    made.__qualname__ = cls.__qualname__
    return made


def samples(cls: type[Any], tag: str) -> list[Any]:
    """One distinct value per field (the classes check no types)."""
    return [f"{tag}-{f.name}" for f in dataclasses.fields(cls)]


def both(cls: type[Any], values: list[Any]) -> tuple[Any, Any]:
    return cls(*values), reference(cls)(*values)


@pytest.mark.parametrize("cls", FROZEN + MUTABLE, ids=lambda c: c.__qualname__)
def test_the_constructor_is_the_generated_one(cls: type[Any]) -> None:
    ours = inspect.signature(cls).parameters
    theirs = inspect.signature(reference(cls)).parameters
    assert list(ours) == list(theirs)
    for name, parameter in theirs.items():
        assert ours[name].kind == parameter.kind
        f = {f.name: f for f in dataclasses.fields(cls)}[name]
        if f.default_factory is dataclasses.MISSING:
            assert ours[name].default == parameter.default, name
            assert ours[name].annotation == parameter.annotation, name
        else:  # ours says None for "a new one", the generated one a sentinel
            assert ours[name].default is None
            assert cls(*samples(cls, "a")[:1]).__getattribute__(name) == f.default_factory()
    made, expected = both(cls, samples(cls, "a"))
    for f in dataclasses.fields(cls):
        assert getattr(made, f.name) == getattr(expected, f.name)
    by_name = cls(
        **{f.name: v for f, v in zip(dataclasses.fields(cls), samples(cls, "a"), strict=True)}
    )
    assert repr(by_name) == repr(made)


@pytest.mark.parametrize("cls", FROZEN + MUTABLE, ids=lambda c: c.__qualname__)
def test_repr_equality_and_the_dataclass_functions(cls: type[Any]) -> None:
    made, expected = both(cls, samples(cls, "a"))
    assert repr(made) == repr(expected)
    assert made == cls(*samples(cls, "a"))
    assert made.__eq__(expected) is NotImplemented  # another class is never equal
    assert made != "a"
    for index, f in enumerate(dataclasses.fields(cls)):
        other = samples(cls, "a")
        other[index] = "different"
        assert (made == cls(*other)) == (expected == reference(cls)(*other)), f.name
    assert dataclasses.asdict(made) == dataclasses.asdict(expected)
    first = dataclasses.fields(cls)[0].name
    assert repr(dataclasses.replace(made, **{first: "b"})) == repr(
        dataclasses.replace(expected, **{first: "b"})
    )
    assert cls.__match_args__ == reference(cls).__match_args__
    assert cls.__slots__ == reference(cls).__slots__
    assert not hasattr(made, "__dict__")
    assert cls.__doc__ == reference(cls).__doc__
    assert repr(copy.copy(made)) == repr(made) and copy.deepcopy(made) == made
    assert pickle.loads(pickle.dumps(made)) == made


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: c.__qualname__)
def test_a_frozen_value_hashes_as_generated_and_refuses_changes(cls: type[Any]) -> None:
    made, expected = both(cls, samples(cls, "a"))
    assert hash(made) == hash(expected)
    name = dataclasses.fields(cls)[0].name
    for act in (lambda o: setattr(o, name, "x"), lambda o: delattr(o, name)):
        with pytest.raises(dataclasses.FrozenInstanceError) as ours:
            act(made)
        with pytest.raises(dataclasses.FrozenInstanceError) as theirs:
            act(expected)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.not_a_field = 1


@pytest.mark.parametrize("cls", MUTABLE, ids=lambda c: c.__qualname__)
def test_a_record_is_mutable_and_unhashable_as_generated(cls: type[Any]) -> None:
    made, expected = both(cls, samples(cls, "a"))
    with pytest.raises(TypeError):
        hash(made)
    with pytest.raises(TypeError):
        hash(expected)
    name = dataclasses.fields(cls)[0].name
    made.__setattr__(name, "x")
    assert getattr(made, name) == "x"


def test_compare_false_is_left_out_of_equality_and_kept_in_repr() -> None:
    account = domain.Account("1", "n")
    one = domain.AccountDocument(account, history=[])
    two = domain.AccountDocument(account, history=["something"])  # type: ignore[list-item]
    assert one == two
    assert "something" in repr(two)


def test_the_decorators_refuse_a_class_without_its_own_init_or_base() -> None:
    class NoInit(Frozen):
        a: str

    with pytest.raises(TypeError, match="__init__"):
        value(NoInit)

    class NotFrozen:
        a: str

    with pytest.raises(TypeError, match="Frozen"):
        value(NotFrozen)
    with pytest.raises(TypeError, match="Record"):
        record(NoInit)
    assert issubclass(domain.AccountDocument, Record)
