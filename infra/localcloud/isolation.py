"""Process-wide state that AWS would keep per execution environment, kept per invocation instead.

On AWS each execution environment is its own process and runs one invocation at a time. localcloud
runs every invocation in one process, so state a library keeps at class or module level is shared
by concurrent invocations of different functions. Where a library we depend on does that, its
containers are swapped for ``ScopedDict``: inside an invocation it is that invocation's own dict
(seeded with what was there at import time, e.g. default dimensions); outside, the original.

Today this covers Powertools Metrics, whose metric, dimension and metadata sets live on the class
(without it one function's flush empties another's metrics mid-request), the Powertools Logger
formatter's keys (``log_format``, an instance attribute of a logger every function shares): without
it one invocation's ``function_name``, request id and correlation id were stamped on another's lines,
and the event handler's ``BaseRouter.current_event`` / ``lambda_context``, which ``resolve()`` sets
on the class: without it a concurrent request of another function read this one's headers and body
(found by the soak: an Idempotency-Key of one request was stored with another's body -> 422).
"""

from __future__ import annotations

import contextlib
import gc
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


_UNSET = object()


class ScopedClassValue:
    """A class attribute kept per invocation: read and written on the class (``Cls.name = v``, through
    the metaclass below) or on an instance; outside an invocation, one process-wide value."""

    def __init__(self, name: str, process: Any = _UNSET) -> None:
        self.name = name
        self.process = process

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        scope = _scope.get()
        value = scope.get((id(self), self.name), _UNSET) if scope is not None else _UNSET
        if value is _UNSET:
            value = self.process
        if value is _UNSET:
            raise AttributeError(self.name)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        scope = _scope.get()
        if scope is None:
            self.process = value
        else:
            scope[(id(self), self.name)] = value


def _scope_class_attributes(cls: type, names: tuple[str, ...]) -> None:
    """Make ``cls.<name>`` per invocation: the descriptor sits in the class (instance and subclass
    reads) and in a metaclass made for it (``cls.name = value`` goes through a metaclass descriptor)."""
    descriptors = {name: ScopedClassValue(name, cls.__dict__.get(name, _UNSET)) for name in names}
    for name, descriptor in descriptors.items():
        setattr(cls, name, descriptor)
    original = type(cls)
    cls.__class__ = type(f"LocalcloudScoped{original.__name__}", (original,), dict(descriptors))
    _swapped.append((cls, "__class__", original))


def _unscope_class_attributes(cls: type, original: type) -> None:
    descriptors = {
        name: value for name, value in type(cls).__dict__.items() if isinstance(value, ScopedClassValue)
    }
    cls.__class__ = original
    for name, descriptor in descriptors.items():
        if descriptor.process is _UNSET:
            delattr(cls, name)
        else:
            setattr(cls, name, descriptor.process)


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
    _rebind_existing_metrics(Metrics)
    _swapped.append((LambdaPowertoolsFormatter, "log_format", None))
    LambdaPowertoolsFormatter.log_format = ScopedAttribute("log_format")  # type: ignore[assignment]
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    _scope_class_attributes(BaseRouter, ("current_event", "lambda_context"))


_INSTANCE_SETS = {
    "metric_set": "_metrics",
    "dimension_set": "_dimensions",
    "metadata_set": "_metadata",
    "default_dimensions": "_default_dimensions",
}


def _rebind_existing_metrics(metrics_class: type) -> None:
    """A Metrics object made before ``install`` (the layer imported first by a test module, say) holds
    the class's original sets, as does its provider: point both at the scoped ones."""
    for found in gc.get_objects():
        if not isinstance(found, metrics_class):
            continue
        for owner in (found, getattr(found, "provider", None)):
            for attribute, class_name in _INSTANCE_SETS.items():
                if owner is not None and isinstance(getattr(owner, attribute, None), dict):
                    setattr(owner, attribute, getattr(metrics_class, class_name))


def uninstall() -> None:
    while _swapped:
        owner, name, original = _swapped.pop()
        if name == "__class__":
            _unscope_class_attributes(owner, original)
        elif original is None:
            delattr(owner, name)  # instances keep their own value in __dict__
        else:
            setattr(owner, name, original)
