"""``os.environ`` that shows each Lambda invocation its own function's variables.

Every function runs in this one process, on many threads at once, and each must see exactly the
variables its template declares (``os.environ``, ``os.getenv``, boto3, pydantic and Powertools all
read ``os.environ``). While localcloud runs, ``os.environ`` is replaced by this mapping: inside an
invocation it reads and writes that invocation's dict (held in a ContextVar, so threads never see
each other's); outside, it is the real process environment. Threads a handler starts itself do not
inherit the invocation's context (Python does not copy contextvars into new threads).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

from localcloud.isolation import DelegatingMapping

_current: ContextVar[dict[str, str] | None] = ContextVar("localcloud_environ", default=None)


class InvocationEnviron(DelegatingMapping):
    def __init__(self, process: MutableMapping[str, str]) -> None:
        self.process = process

    def _target(self) -> MutableMapping[str, str]:
        current = _current.get()
        return self.process if current is None else current

    def __repr__(self) -> str:
        return f"InvocationEnviron({'invocation' if _current.get() is not None else 'process'})"


def install() -> None:
    """Swap ``os.environ`` for the per-invocation view (idempotent)."""
    if not isinstance(os.environ, InvocationEnviron):
        os.environ = InvocationEnviron(os.environ)  # type: ignore[assignment]  # noqa: B003 - swapping the view on purpose


def uninstall() -> None:
    if isinstance(os.environ, InvocationEnviron):
        os.environ = os.environ.process  # type: ignore[assignment]  # noqa: B003


@contextlib.contextmanager
def invocation(variables: dict[str, str]) -> Iterator[dict[str, str]]:
    """Run the block with ``variables`` as the whole of ``os.environ``."""
    token = _current.set(variables)
    try:
        yield variables
    finally:
        _current.reset(token)


def process_value(key: str, default: Any = None) -> Any:
    """A variable of the real process environment, whatever invocation is current."""
    env = os.environ
    source = env.process if isinstance(env, InvocationEnviron) else env
    return source.get(key, default)
