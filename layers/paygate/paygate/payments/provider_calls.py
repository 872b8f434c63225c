"""Captures, voids and refunds of a payment that a merchant's connector configuration authorized: they
go to the same provider, by the provider's reference kept on the payment (``connector``). A payment the
built-in simulator decided has no provider to tell: these calls answer None and the gateway's own
records are the whole truth, as before routing.

Each call carries an idempotency key derived from what it does (the payment and the amount, or the
refund's id), so a request retried after a lost answer is the same request to the provider.
"""

from __future__ import annotations

from typing import Any

from paygate.connectors import dispatch
from paygate.connectors.base import Connector, ConnectorResult, Outcome
from paygate.core.errors import ProcessorDeclined, ProcessorUnavailable


def _connector(payment: dict[str, Any]) -> tuple[Connector, str] | None:
    ref = payment.get("connector")
    if not ref:
        return None
    found = dispatch.configured(payment["merchant_id"], payment["mode"], ref["merchant_connector_id"])
    if found is None:
        raise ProcessorUnavailable(
            f"the connector configuration {ref['merchant_connector_id']} that took this payment no longer "
            "exists; the provider cannot be asked"
        )
    return found, ref["provider_reference"]


def _settled(result: ConnectorResult, what: str) -> ConnectorResult:
    """The result, or the API's error: 402 when the provider refused, 503 when it could not be asked."""
    if result.outcome in (Outcome.SUCCEEDED, Outcome.PENDING):
        return result
    said = f"{result.provider_code or result.outcome.value}: {result.provider_message or 'no message'}"
    if result.outcome in (Outcome.PROCESSOR_ERROR_RETRYABLE, Outcome.UNKNOWN):
        raise ProcessorUnavailable(f"the processor did not complete the {what} ({said}); retry the request")
    raise ProcessorDeclined(f"the processor refused the {what} ({said})")


def capture(payment: dict[str, Any], amount: int) -> ConnectorResult | None:
    found = _connector(payment)
    if found is None:
        return None
    connector, reference = found
    key = f"{payment['id']}-capture-{amount}"
    return _settled(connector.capture(reference, amount, payment["currency"], key), "capture")


def void(payment: dict[str, Any]) -> ConnectorResult | None:
    found = _connector(payment)
    if found is None:
        return None
    connector, reference = found
    return _settled(connector.void(reference, f"{payment['id']}-void"), "release of the authorization")


def refund(payment: dict[str, Any], refund_id: str, amount: int) -> ConnectorResult | None:
    """The provider's answer to the refund, unclassified (the refund job decides what each means);
    None for a simulator payment."""
    found = _connector(payment)
    if found is None:
        return None
    connector, reference = found
    return connector.refund(reference, amount, payment["currency"], refund_id)
