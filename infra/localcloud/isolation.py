"""Process-wide state that AWS would keep per execution environment, kept per invocation instead.

On AWS each execution environment is its own process and runs one invocation at a time. localcloud
runs every invocation in one process, so state a library keeps at class or module level is shared
by concurrent invocations of different functions. Where a library we depend on does that, its
containers are swapped for ``ScopedDict``: inside an invocation it is that invocation's own dict
(seeded with what was there at import time, e.g. default dimensions); outside, the original.

Today this covers Powertools Metrics, whose metric, dimension and metadata sets live on the class
(without it one function's flush empties another's metrics mid-request), and the Powertools Logger
formatter's keys (``log_format``, an instance attribute of a logger every function shares): without
it one invocation's ``function_name``, request id and correlation id were stamped on another's lines.
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


class ScopedAttribute:
    """A class-level stand-in for an instance attribute holding a dict: per invocation inside one
    (a copy of the process-level value on first use), the instance's own value outside."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        scope = _scope.get()
        process = obj.__dict__.get(self.name)
        if scope is None:
            return process
        key = (id(obj), self.name)
        if key not in scope:
            scope[key] = dict(process) if isinstance(process, dict) else process
        return scope[key]

    def __set__(self, obj: Any, value: Any) -> None:
        scope = _scope.get()
        if scope is None or self.name not in obj.__dict__:
            obj.__dict__[self.name] = value
        if scope is not None:
            scope[(id(obj), self.name)] = value


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
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    for name in ("_metrics", "_dimensions", "_metadata", "_default_dimensions"):
        original = getattr(Metrics, name)
        _swapped.append((Metrics, name, original))
        setattr(Metrics, name, ScopedDict(original))
    _swapped.append((LambdaPowertoolsFormatter, "log_format", None))
    LambdaPowertoolsFormatter.log_format = ScopedAttribute("log_format")  # type: ignore[assignment]


def uninstall() -> None:
    while _swapped:
        owner, name, original = _swapped.pop()
        if original is None:
            delattr(owner, name)  # instances keep their own value in __dict__
        else:
            setattr(owner, name, original)
