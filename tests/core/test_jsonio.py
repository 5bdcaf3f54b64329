"""``plain`` gives what ``dataclasses.asdict`` gives, for the shapes labels take."""

from collections import namedtuple
from dataclasses import asdict, dataclass, field

import pytest

from simgen.core.jsonio import as_dict, plain

Pair = namedtuple("Pair", "a b")


@dataclass(frozen=True)
class Inner:
    x: float
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outer:
    name: str
    inner: Inner
    items: list[Inner] = field(default_factory=list)
    by_name: dict[str, Inner] = field(default_factory=dict)
    pair: Pair = field(default_factory=lambda: Pair(1, 2))
    nothing: None = None
    flags: tuple[bool, int] = (True, 3)


def test_plain_is_asdict():
    inner = Inner(1.5, ("a", "b"))
    outer = Outer("o", inner, [inner, Inner(-0.0)], {"k": Inner(2.0)}, Pair(inner, [inner]))
    assert plain(outer) == asdict(outer)
    assert type(plain(outer)["pair"]) is Pair and type(plain(outer)["flags"]) is tuple
    assert plain([outer, 3, "s", None]) == [asdict(outer), 3, "s", None]
    assert as_dict(outer) == asdict(outer)
    with pytest.raises(TypeError, match="dataclass"):
        as_dict({"a": 1})
