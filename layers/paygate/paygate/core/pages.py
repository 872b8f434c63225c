"""The list shape of every listing route (DESIGN.md section 5): items, count, has_more."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class Page(BaseModel, Generic[T]):
    items: list[T]
    count: int
    has_more: bool

    @classmethod
    def of(cls, items: Sequence[T], has_more: bool) -> Page[T]:
        return cls(items=list(items), count=len(items), has_more=has_more)
