"""What every scenario model is built from: strict frozen models and tagged unions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, GetCoreSchemaHandler, Tag
from pydantic_core import CoreSchema


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _key_tag(field: str) -> Callable[[Any], str | None]:
    """A discriminator reading ``field``; named after it so that error messages can name the key."""

    def tag(v: Any) -> str | None:
        if isinstance(v, dict):
            value = v.get(field)
            return value if isinstance(value, str) else None
        found = getattr(v, field, None)
        return found if isinstance(found, str) else None

    tag.__name__ = tag.__qualname__ = field
    return tag


def literal_of(model: type[BaseModel], field: str) -> str:
    """The one value a ``Literal[...]`` field of ``model`` admits (its tag in a union)."""
    value = get_args(model.model_fields[field].annotation)[0]
    assert isinstance(value, str), f"{model.__name__}.{field} is not a one-name Literal"
    return value


@dataclass(frozen=True)
class Tagged:
    """Union metadata: each member model is tagged by ``tag_of`` and picked by ``discriminator``.

    The members stay a plain union to type checkers; the tags are added when pydantic builds the
    schema, so the union of spec twins (``spec.spec_type``) is tagged the same way.
    """

    tag_of: Callable[[type[BaseModel]], str]
    discriminator: Discriminator

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        members = tuple(Annotated[m, Tag(self.tag_of(m))] for m in get_args(source))
        return handler.generate_schema(Annotated[Union[members], self.discriminator])  # noqa: UP007


def tagged_by(field: str) -> Tagged:
    """Union metadata for models told apart by their one-name ``Literal`` field ``field``."""
    return Tagged(lambda m: literal_of(m, field), Discriminator(_key_tag(field)))
