"""The circuit breaker of each merchant connector configuration (``mca_...``), shared by every Lambda.

Routing asks ``allow(connector_id)`` before it calls a configuration's provider and tells
``record(connector_id, outcome)`` what the call came to. The state lives in the connectors table, one
item per configuration (``pk = BREAKER#<mca id>``, ``sk = STATE``), so every function instance sees
the same state; each write is conditioned on the ``version`` it read and retried on a fresh read when
another caller wrote first.

States (docs/connectors.md, "Circuit breaker"):
- **closed**: calls go through. It opens after ``CONSECUTIVE_ERRORS`` processor errors in a row, or
  when at least ``RATE_MIN_CALLS`` calls in the current ``WINDOW_SECONDS`` window had more than
  ``RATE_PERCENT`` % processor errors. Processor errors are outcomes that allow failover (nothing
  happened: outage, 5xx, refused connection) and ``unknown`` (no answer); every other outcome,
  declines included, means the processor answered.
- **open**: calls are refused until ``COOL_DOWN_SECONDS`` after it opened; results of calls admitted
  before it opened are ignored.
- **half-open**: the first ``allow`` after the cool-down claims the one probe (a conditional write);
  everyone else is refused as if open. The probe's result closes it (counters reset) or opens it again
  (cool-down restarts). A claim never reported (a crashed Lambda) expires after ``COOL_DOWN_SECONDS``
  and the next ``allow`` claims a new probe.

Kept here rather than in ``store.py`` because the item is this module's alone (no listing, no other
reader); the DynamoDB plumbing is ``paygate.core.dynamo``'s, as for every conditional write.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from paygate.connectors.base import Outcome
from paygate.core import clock, dynamo
from paygate.core.observability import logger
from paygate.core.settings import ConnectorsTable

CONSECUTIVE_ERRORS = 5  # processor errors in a row that open a closed breaker
RATE_MIN_CALLS = 20  # calls in the window before the error rate can open it (few calls say little)
RATE_PERCENT = 50  # it opens when more than this share of the window's calls were processor errors
WINDOW_SECONDS = 60  # the error-rate window (fixed: it starts at the first call recorded after the last)
COOL_DOWN_SECONDS = 30  # open -> half-open; also how long an unreported probe claim holds
WRITE_ATTEMPTS = 64  # fresh read + conditional write rounds before a write gives up (each lost round
# means another caller's write landed, so 64 covers 64 callers racing on one item)

ITEM_TYPE = "circuit_breaker"
SK = "STATE"


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class Decision:
    """Whether a call to the configuration may go out now, and why (for the routing trace)."""

    allowed: bool
    state: BreakerState  # the caller's view: "half_open" only for the caller holding the probe
    reason: str
    probe: bool = False  # this caller holds the half-open probe: it must ``record`` the result


@dataclass(frozen=True)
class Breaker:
    """The stored state. Times are epoch milliseconds from ``paygate.core.clock``; 0 means none."""

    state: BreakerState = BreakerState.CLOSED
    version: int = 0  # 0: no item stored yet
    consecutive_errors: int = 0
    window_start_ms: int = 0
    window_calls: int = 0
    window_errors: int = 0
    opened_at_ms: int = 0
    open_reason: str = ""  # why it opened ("5 consecutive processor errors"), kept for the trace
    probe_claimed_at_ms: int = 0
    opens: int = 0  # how often it has opened (a counter for dashboards and tests)

    @classmethod
    def from_item(cls, item: dict[str, Any] | None) -> Breaker:
        if item is None:
            return cls()
        return cls(
            state=BreakerState(item["state"]),
            version=int(item["version"]),
            consecutive_errors=int(item.get("consecutive_errors", 0)),
            window_start_ms=int(item.get("window_start_ms", 0)),
            window_calls=int(item.get("window_calls", 0)),
            window_errors=int(item.get("window_errors", 0)),
            opened_at_ms=int(item.get("opened_at_ms", 0)),
            open_reason=str(item.get("open_reason", "")),
            probe_claimed_at_ms=int(item.get("probe_claimed_at_ms", 0)),
            opens=int(item.get("opens", 0)),
        )

    def fields(self) -> dict[str, Any]:
        """The attributes a write sets (``version`` is added by the write itself)."""
        return {
            "type": ITEM_TYPE,
            "state": self.state.value,
            "consecutive_errors": self.consecutive_errors,
            "window_start_ms": self.window_start_ms,
            "window_calls": self.window_calls,
            "window_errors": self.window_errors,
            "opened_at_ms": self.opened_at_ms,
            "open_reason": self.open_reason,
            "probe_claimed_at_ms": self.probe_claimed_at_ms,
            "opens": self.opens,
        }


def is_processor_error(outcome: Outcome) -> bool:
    """What the breaker counts as the processor failing: nothing happened, or no answer came."""
    return outcome.failover_allowed or outcome is Outcome.UNKNOWN


# --- the rules, as pure functions of (state, now) ----------------------------------------------------
def decide(
    breaker: Breaker, now_ms: int, cool_down_seconds: int = COOL_DOWN_SECONDS
) -> tuple[Decision, Breaker | None]:
    """The decision for a caller now, and the state to write for it (None: nothing to write)."""
    cool_down_ms = cool_down_seconds * 1000
    if breaker.state is BreakerState.CLOSED:
        return Decision(True, BreakerState.CLOSED, _closed_reason(breaker)), None
    opened = f"open since {_hms(breaker.opened_at_ms)} after {breaker.open_reason}"
    if breaker.state is BreakerState.OPEN and now_ms < breaker.opened_at_ms + cool_down_ms:
        return Decision(False, BreakerState.OPEN, opened), None
    if breaker.state is BreakerState.HALF_OPEN and now_ms < breaker.probe_claimed_at_ms + cool_down_ms:
        reason = f"{opened}; a probe is in flight since {_hms(breaker.probe_claimed_at_ms)}"
        return Decision(False, BreakerState.OPEN, reason), None
    claimed = replace(breaker, state=BreakerState.HALF_OPEN, probe_claimed_at_ms=now_ms)
    expired = breaker.state is BreakerState.HALF_OPEN
    why = "the last probe was never reported" if expired else "the cool-down is over"
    reason = f"half-open probe ({opened}; {why})"
    return Decision(True, BreakerState.HALF_OPEN, reason, probe=True), claimed


def recorded(breaker: Breaker, outcome: Outcome, now_ms: int) -> Breaker | None:
    """The state after one call's ``outcome``; None when the result changes nothing."""
    error = is_processor_error(outcome)
    if breaker.state is BreakerState.OPEN:
        return None  # a call admitted before it opened: the cool-down decides, not late results
    if breaker.state is BreakerState.HALF_OPEN:
        if error:
            return _opened(breaker, now_ms, "the half-open probe failed")
        return replace(Breaker(), version=breaker.version, opens=breaker.opens)  # closed, counters reset
    if breaker.window_start_ms == 0 or now_ms >= breaker.window_start_ms + WINDOW_SECONDS * 1000:
        breaker = replace(breaker, window_start_ms=now_ms, window_calls=0, window_errors=0)
    breaker = replace(
        breaker,
        window_calls=breaker.window_calls + 1,
        window_errors=breaker.window_errors + int(error),
        consecutive_errors=breaker.consecutive_errors + 1 if error else 0,
    )
    if breaker.consecutive_errors >= CONSECUTIVE_ERRORS:
        return _opened(breaker, now_ms, f"{breaker.consecutive_errors} consecutive processor errors")
    if (
        breaker.window_calls >= RATE_MIN_CALLS
        and breaker.window_errors * 100 > RATE_PERCENT * breaker.window_calls
    ):
        calls = f"{breaker.window_calls} calls within {WINDOW_SECONDS} s"
        why = f"{breaker.window_errors} processor errors in {calls}"
        return _opened(breaker, now_ms, why)
    return breaker


def _opened(breaker: Breaker, now_ms: int, why: str) -> Breaker:
    return Breaker(
        state=BreakerState.OPEN,
        version=breaker.version,
        opened_at_ms=now_ms,
        open_reason=why,
        opens=breaker.opens + 1,
    )


def _closed_reason(breaker: Breaker) -> str:
    if breaker.consecutive_errors == 0 and breaker.window_errors == 0:
        return "closed"
    return (
        f"closed ({breaker.consecutive_errors} consecutive processor errors; "
        f"{breaker.window_errors} of {breaker.window_calls} calls in the window)"
    )


def _hms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M:%S")


# --- the shared state in the connectors table ---------------------------------------------------------
def allow(connector_id: str) -> Decision:
    """May a call go to this configuration now? Claims the half-open probe when it is due."""
    for _ in range(WRITE_ATTEMPTS):
        breaker = read(connector_id)
        decision, to_write = decide(breaker, _now_ms(), ConnectorsTable.load().circuit_cool_down_seconds)
        if to_write is None or _write(connector_id, breaker.version, to_write):
            return decision
        _jitter()
    # Every round lost to another caller's write: someone else is deciding; do not add a call.
    return Decision(False, BreakerState.OPEN, "breaker state contended; not probing")


def record(connector_id: str, outcome: Outcome) -> BreakerState:
    """Count one call's outcome; returns the state it leaves the breaker in."""
    for _ in range(WRITE_ATTEMPTS):
        breaker = read(connector_id)
        after = recorded(breaker, outcome, _now_ms())
        if after is None:
            return breaker.state
        if _write(connector_id, breaker.version, after):
            if after.state is not breaker.state:
                logger.info(
                    "circuit breaker changed state",
                    extra={"connector_id": connector_id, "from": breaker.state, "to": after.state},
                )
            return after.state
        _jitter()
    logger.warning("circuit breaker outcome not recorded: contended", extra={"connector_id": connector_id})
    return read(connector_id).state


def read(connector_id: str) -> Breaker:
    return Breaker.from_item(dynamo.get(_table(), key(connector_id)["pk"], SK))


def key(connector_id: str) -> dict[str, str]:
    return {"pk": f"BREAKER#{connector_id}", "sk": SK}


def _write(connector_id: str, read_version: int, after: Breaker) -> bool:
    """Put ``after`` if the item is still at ``read_version`` (absent when 0); False if it moved.

    A whole-item Put rather than an Update: the item is this module's alone and always written whole,
    and a Put's condition is the only expression to evaluate (cheaper in moto, the same on AWS)."""
    item = {
        **key(connector_id),
        **after.fields(),
        "connector_id": connector_id,
        "version": read_version + 1,
        "updated_at": clock.iso_now(),
    }
    return dynamo.put_versioned(_table(), item, read_version)


def _table() -> str:
    return ConnectorsTable.load().connectors_table


def _now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def _jitter() -> None:
    time.sleep(random.uniform(0.0, 0.005))  # noqa: S311 - spreads racing retries, no security use
