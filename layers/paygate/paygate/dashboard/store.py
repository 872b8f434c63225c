"""DynamoDB access for dashboard sessions, kept in the merchants table (tenants and their logins).

Item: ``SESSION#<jti>/SESSION`` with ``merchant_id``, ``mode``, ``created_at``, ``expires_at`` and
``ttl`` (epoch seconds: the table's TimeToLiveSpecification deletes it some time after expiry, so
readers also compare ``expires_at``). Deleting the item revokes the session before its token expires.
"""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.core.settings import MerchantsTable


def _table() -> str:
    return MerchantsTable.load().merchants_table


def _key(jti: str) -> dict[str, str]:
    return {"pk": f"SESSION#{jti}", "sk": "SESSION"}


def put_session(jti: str, merchant_id: str, mode: str, created_at: str, expires_at: str, ttl: int) -> None:
    item = {
        **_key(jti),
        "type": "session",
        "merchant_id": merchant_id,
        "mode": mode,
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
