"""How other contexts reach the vault's functions: a synchronous Lambda Invoke of TokenizeCard or
RevealCard (names from ``VaultClientEnv``), so only the vault's functions hold the KMS grants.

Unit tests, which have no Lambda on plain moto, install an in-process ``Transport`` with
``use_transport`` (tests/unit/moto_world.py); production never does and always invokes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from paygate.core import aws
from paygate.core.errors import PaygateError
from paygate.core.observability import logger
from paygate.core.settings import VaultClientEnv
from paygate.vault.envelope import CardUnreadable

TOKENIZE = "tokenize"
REVEAL = "reveal"
Transport = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(action, event) -> the function's answer; raises as the function would (``CardUnreadable``...)."""
_transport: Transport | None = None


class VaultUnavailable(PaygateError):
    """The vault's function could not be invoked or failed: transient, the caller answers 503 (or an
    attempt retries). The message names the action only."""

    status = 503
    code = "VAULT_UNAVAILABLE"


def use_transport(transport: Transport | None) -> Transport | None:
    """Install an in-process transport (tests); returns the previous one (None: Lambda Invoke)."""
    global _transport
    previous, _transport = _transport, transport
    return previous


def call(action: str, event: dict[str, Any]) -> dict[str, Any]:
    if _transport is not None:
        return _transport(action, event)
    return _invoke(action, event)


def _function(action: str) -> str:
    env = VaultClientEnv.load()
    name = env.vault_tokenize_function if action == TOKENIZE else env.vault_reveal_function
    if not name:
        raise VaultUnavailable(f"the vault's {action} function is not configured for this function")
    return name


def _invoke(action: str, event: dict[str, Any]) -> dict[str, Any]:
    try:
        answer = aws.client("lambda").invoke(
            FunctionName=_function(action),
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
        body = json.loads(answer["Payload"].read() or b"null")
    except (BotoCoreError, ClientError, ValueError) as exc:
        logger.warning("vault invoke failed", extra={"action": action, "error": type(exc).__name__})
        raise VaultUnavailable(f"the vault did not answer ({action})") from None
    if answer.get("FunctionError"):
        kind = body.get("errorType", "") if isinstance(body, dict) else ""
        if kind == CardUnreadable.__name__:
            raise CardUnreadable(str(body.get("errorMessage", "a card does not decrypt")))
        logger.warning("vault function failed", extra={"action": action, "error": kind})
        raise VaultUnavailable(f"the vault failed ({action})")
    if not isinstance(body, dict):
        raise VaultUnavailable(f"the vault answered nothing ({action})")
    return body


def wire_dump(item: dict[str, Any]) -> dict[str, Any]:
    return {k: {"B64": base64.b64encode(v).decode()} if isinstance(v, bytes) else v for k, v in item.items()}


def wire_load(item: dict[str, Any]) -> dict[str, Any]:
    return {
        k: base64.b64decode(v["B64"]) if isinstance(v, dict) and set(v) == {"B64"} else v
        for k, v in item.items()
    }
