"""Process-wide state that AWS would keep per execution environment, kept per invocation instead.

On AWS each execution environment is its own process and runs one invocation at a time. localcloud
runs every invocation in one process, so state a library keeps at class or module level is shared
by concurrent invocations of different functions. Where a library we depend on does that, its
containers are swapped for ``ScopedDict``: inside an invocation it is that invocation's own dict
(seeded with what was there at import time, e.g. default dimensions); outside, the original.

Today this covers Powertools Metrics, whose metric, dimension and metadata sets live on the class:
without it one function's flush empties another's metrics mid-request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

_scope: ContextVar[dict[int, dict[Any, Any]] | None] = ContextVar("localcloud_scope", default=None)
_swapped: list[tuple[type, str, Any]] = []


class DelegatingMapping(MutableMapping[Any, Any]):
    """A mapping whose every operation goes to ``_target()``, chosen per call (per invocation)."""

    def _target(self) -> MutableMapping[Any, Any]:
        raise NotImplementedError

    def __getitem__(self, key: Any) -> Any:
        return self._target()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._target()))

    def __len__(self) -> int:
        return len(self._target())

    def copy(self) -> dict[Any, Any]:
        return dict(self._target())


class ScopedDict(DelegatingMapping):
    def __init__(self, process: dict[Any, Any]) -> None:
        self.process = process

    def _target(self) -> dict[Any, Any]:
        scope = _scope.get()
        if scope is None:
            return self.process
        if id(self) not in scope:
            scope[id(self)] = dict(self.process)
        return scope[id(self)]

    def __repr__(self) -> str:
        return repr(self._target())


@contextlib.contextmanager
def invocation() -> Iterator[None]:
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def install() -> None:
    """Swap the known class-level containers (before any instance captures them)."""
    if _swapped:
        return
    try:
        from aws_lambda_powertools.metrics.metrics import Metrics
    except ImportError:  # a template whose functions do not use Powertools
        return
    for name in ("_metrics", "_dimensions", "_metadata", "_default_dimensions"):
        original = getattr(Metrics, name)
        _swapped.append((Metrics, name, original))
        setattr(Metrics, name, ScopedDict(original))


def uninstall() -> None:
    while _swapped:
        owner, name, original = _swapped.pop()
        setattr(owner, name, original)
