"""The one clock. Tests move time with ``set_clock``; code never calls ``datetime.now`` itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def iso_now() -> str:
    """ISO 8601 UTC with milliseconds and a trailing Z, the format of every stored time."""
    return now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def set_clock(fn: Callable[[], datetime] | None) -> None:
    global _now
    _now = fn or (lambda: datetime.now(UTC))
