"""The one clock. Tests move time with ``set_clock``; code never calls ``datetime.now`` itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def iso_now() -> str:
    """ISO 8601 UTC with milliseconds and a trailing Z, the format of every stored time."""
    return iso(now())


def iso(moment: datetime) -> str:
    """``moment`` (aware, UTC) in the format of every stored time."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(text: str) -> datetime:
    """A stored time (``iso``'s format) back as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_until(text: str | None) -> int:
    """Whole seconds from now until a stored time, rounded up; 0 when none or past."""
    if not text:
        return 0
    return max(int((parse(text) - now()).total_seconds() + 0.999), 0)


def set_clock(fn: Callable[[], datetime] | None) -> None:
    global _now
    _now = fn or (lambda: datetime.now(UTC))
