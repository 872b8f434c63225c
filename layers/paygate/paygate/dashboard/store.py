"""DynamoDB access for dashboard sessions and login limits, kept in the merchants table (tenants and
their logins).

Items:
- ``SESSION#<jti>/SESSION`` with ``merchant_id``, ``mode``, ``epoch`` (the merchant's
  ``session_epoch`` at login), ``created_at``, ``expires_at`` and ``ttl`` (epoch seconds: the table's
  TimeToLiveSpecification deletes it some time after expiry, so readers also compare ``expires_at``).
  Deleting the item revokes the session before its token expires.
- ``LOGINLIMIT#<account|client>#<hmac>/LOGINLIMIT``: login attempts of one account (email) or one
  client (source IP) in the current window: ``attempts``, ``window_start`` and ``ttl`` (epoch seconds).
  Every change is one conditional UpdateItem, so concurrent logins can never count past the limit.
"""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.core.settings import MerchantsTable


def _table() -> str:
    return MerchantsTable.load().merchants_table


def _key(jti: str) -> dict[str, str]:
    return {"pk": f"SESSION#{jti}", "sk": "SESSION"}


def _limit_key(subject: str) -> dict[str, str]:
    return {"pk": f"LOGINLIMIT#{subject}", "sk": "LOGINLIMIT"}


def put_session(
    jti: str, merchant_id: str, mode: str, created_at: str, expires_at: str, ttl: int, epoch: int
) -> None:
    item = {
        **_key(jti),
        "type": "session",
        "merchant_id": merchant_id,
        "mode": mode,
        "epoch": epoch,
        "created_at": created_at,
        "expires_at": expires_at,
        "ttl": ttl,
    }
    if not dynamo.put_if_absent(_table(), item):
        raise RuntimeError("session id collision")  # 144 random bits: never in practice


def get_session(jti: str) -> dict[str, Any] | None:
    """Strongly consistent, so a logout is seen by the very next request."""
    key = _key(jti)
    return dynamo.get(_table(), key["pk"], key["sk"], consistent=True)


def delete_session(jti: str) -> None:
    dynamo.client().delete_item(TableName=_table(), Key=dynamo.to_item(_key(jti)))


# --- login limits -----------------------------------------------------------------------------------
def open_window(subject: str, now: int, window: int) -> bool:
    """Start a window with one attempt, where there is none or the last one is over; False otherwise."""
    op = dynamo.update_op(
        _table(),
        _limit_key(subject),
        sets={"type": "login_limit", "attempts": 1, "window_start": now, "ttl": now + window},
        condition="attribute_not_exists(pk) OR #window_start <= :cutoff",
        cutoff=now - window,
    )
    return dynamo.update(op) is not None


def count_in_window(subject: str, now: int, window: int, limit: int) -> int | None:
    """One more attempt in the current window while it has fewer than ``limit``: its ``window_start``;
    None when the window is full (or over)."""
    op = dynamo.update_op(
        _table(),
        _limit_key(subject),
        add={"attempts": 1},
        condition="#window_start > :cutoff AND #attempts < :limit",
        cutoff=now - window,
        limit=limit,
    )
    counted = dynamo.update(op)
    return int(counted["window_start"]) if counted else None


def get_limit(subject: str) -> dict[str, Any] | None:
    key = _limit_key(subject)
    return dynamo.get(_table(), key["pk"], key["sk"], consistent=True)


def give_back(subject: str, window_start: int) -> None:
    """Uncount one attempt of the window that counted it (a window started since is left alone)."""
    op = dynamo.update_op(
        _table(),
        _limit_key(subject),
        add={"attempts": -1},
        condition="#window_start = :start AND #attempts > :zero",
        start=window_start,
        zero=0,
    )
    dynamo.update(op)


def clear_limit(subject: str) -> None:
    dynamo.client().delete_item(TableName=_table(), Key=dynamo.to_item(_limit_key(subject)))
