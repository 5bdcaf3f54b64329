"""Distributions a scenario value may be written as, and how one is drawn.

A value is either concrete (``12.5``) or a one-key mapping: ``{uniform: [a, b]}``,
``{normal: [mean, std]}``, ``{choice: [x, y]}`` or ``{choice: {x: 0.7, y: 0.3}}``. They are data,
never strings that get evaluated.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, Union

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    GetCoreSchemaHandler,
    Tag,
    field_validator,
)
from pydantic_core import CoreSchema, core_schema

T = TypeVar("T")

DISTRIBUTION_KEYS = ("uniform", "normal", "choice")
DISTRIBUTION_HELP = "{uniform: [low, high]}, {normal: [mean, std]} or {choice: [...]}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Uniform(_Strict):
    """Uniform on the closed interval [low, high]."""

    uniform: list[float]

    @field_validator("uniform")
    @classmethod
    def _pair(cls, v: list[float]) -> list[float]:
        if len(v) != 2:
            raise ValueError(f"expected [low, high], got {len(v)} values")
        if v[0] > v[1]:
            raise ValueError(f"low must be <= high, got [{v[0]}, {v[1]}]")
        return v

    @property
    def low(self) -> float:
        return self.uniform[0]

    @property
    def high(self) -> float:
        return self.uniform[1]


class Normal(_Strict):
    """Gaussian with the given mean and standard deviation."""

    normal: list[float]

    @field_validator("normal")
    @classmethod
    def _pair(cls, v: list[float]) -> list[float]:
        if len(v) != 2:
            raise ValueError(f"expected [mean, std], got {len(v)} values")
        if v[1] < 0:
            raise ValueError(f"std must be >= 0, got {v[1]}")
        return v


class Choice(_Strict, Generic[T]):
    """One of several options, equally likely (a list) or weighted (a mapping option -> weight)."""

    choice: list[T] | dict[T, float]

    @field_validator("choice")
    @classmethod
    def _options(cls, v: list[T] | dict[T, float]) -> list[T] | dict[T, float]:
        if len(v) == 0:
            raise ValueError("expected at least one option")
        if isinstance(v, dict):
            if any(w < 0 for w in v.values()):
                raise ValueError("weights must be >= 0")
            if sum(v.values()) <= 0:
                raise ValueError("weights must not all be 0")
        return v

    @property
    def options(self) -> list[T]:
        return list(self.choice)

    @property
    def weights(self) -> list[float]:
        if isinstance(self.choice, dict):
            return list(self.choice.values())
        return [1.0] * len(self.choice)


Distribution = Uniform | Normal | Choice[Any]


def is_distribution(value: object) -> bool:
    return isinstance(value, (Uniform, Normal, Choice))


def draw(value: Any, rng: np.random.Generator) -> Any:
    """A concrete value: distributions are drawn from ``rng``, anything else is returned as is."""
    if isinstance(value, Uniform):
        return float(rng.uniform(value.low, value.high))
    if isinstance(value, Normal):
        mean, std = value.normal
        return float(rng.normal(mean, std))
    if isinstance(value, Choice):
        weights = np.asarray(value.weights, dtype=float)
        index = int(rng.choice(len(weights), p=weights / weights.sum()))
        return value.options[index]
    return value


# --- field types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """Limits that a concrete value, and every value a distribution can take, must obey."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def violation(self, x: float) -> str | None:
        if self.ge is not None and not x >= self.ge:
            return f">= {self.ge}"
        if self.gt is not None and not x > self.gt:
            return f"> {self.gt}"
        if self.le is not None and not x <= self.le:
            return f"<= {self.le}"
        if self.lt is not None and not x < self.lt:
            return f"< {self.lt}"
        return None

    def check(self, value: Any) -> Any:
        if isinstance(value, Uniform):
            points = [(value.low, "low"), (value.high, "high")]
        elif isinstance(value, Normal):
            points = [(value.normal[0], "mean")]
        elif isinstance(value, Choice):
            points = [(o, "option") for o in value.options]
        else:
            points = [(value, "")]
        for x, role in points:
            bad = self.violation(x)
            if bad is not None:
                what = f"{role} {x}" if role else f"{x}"
                raise ValueError(f"must be {bad}, got {what}")
        return value


@dataclass(frozen=True)
class Varies(Bounds):
    """Marks a field that a scenario file may give as a distribution (``spec.spec_model`` widens
    it); on an instance model it holds one value, checked against the same bounds.

    ``widen`` extends the distribution-aware type further (a start position may also be relative
    to another actor).
    """

    widen: Callable[[Any], Any] | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        if (self.ge, self.gt, self.le, self.lt) == (None, None, None, None):
            return schema
        return core_schema.no_info_after_validator_function(self.check, schema)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _suggest(word: str, options: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _shape_check(concrete: str, is_concrete: Any, keys: tuple[str, ...]) -> Any:
    """A before-validator that turns a malformed value into one clear message, not a union dump."""

    def check(v: Any) -> Any:
        if is_concrete(v) or isinstance(v, BaseModel):
            return v
        if isinstance(v, dict) and len(v) == 1:
            key = next(iter(v))
            if key in keys:
                return v
            if isinstance(key, str):
                raise ValueError(
                    f"unknown distribution '{key}'{_suggest(key, keys)}; expected {concrete} or "
                    + " / ".join(f"{{{k}: ...}}" for k in keys)
                )
        shown = repr(v) if not isinstance(v, (dict, list)) else type(v).__name__
        raise ValueError(
            f"expected {concrete} or "
            + (DISTRIBUTION_HELP if keys == DISTRIBUTION_KEYS else "{choice: [...]}")
            + f", got {shown}"
        )

    return check


def _tag(v: Any) -> str | None:
    if isinstance(v, BaseModel):
        return next(iter(type(v).model_fields))
    if isinstance(v, dict) and len(v) == 1:
        return str(next(iter(v)))
    return "value"


def number(
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """A float field that also accepts uniform, normal and choice distributions within bounds."""
    bounds = Bounds(ge=ge, gt=gt, le=le, lt=lt)
    union = Union[  # noqa: UP007 - Tag annotations need the explicit Union form
        Annotated[float, Tag("value")],
        Annotated[Uniform, Tag("uniform")],
        Annotated[Normal, Tag("normal")],
        Annotated[Choice[float], Tag("choice")],
    ]
    return Annotated[
        union,
        Discriminator(_tag),
        BeforeValidator(_shape_check("a number", _is_number, DISTRIBUTION_KEYS)),
        AfterValidator(bounds.check),
    ]


def integer(ge: int | None = None, le: int | None = None) -> Any:
    """An int field that also accepts ``{choice: [...]}``."""
    bounds = Bounds(ge=ge, le=le)
    union = Union[  # noqa: UP007
        Annotated[int, Tag("value")],
        Annotated[Choice[int], Tag("choice")],
    ]
    return Annotated[
        union,
        Discriminator(_tag),
        BeforeValidator(
            _shape_check(
                "an integer", lambda v: isinstance(v, int) and not isinstance(v, bool), ("choice",)
            )
        ),
        AfterValidator(bounds.check),
    ]


def one_of(literal: Any) -> Any:
    """A field whose value is one of ``literal``'s names, or a choice among them."""
    union = Union[  # noqa: UP007
        Annotated[literal, Tag("value")],
        Annotated[Choice[literal], Tag("choice")],
    ]
    return Annotated[
        union,
        Discriminator(_tag),
        BeforeValidator(_shape_check("a name", lambda v: isinstance(v, str), ("choice",))),
    ]
