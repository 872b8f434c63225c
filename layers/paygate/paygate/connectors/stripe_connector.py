"""The Stripe connector: ``base.Connector`` on the official ``stripe`` SDK (PaymentIntents).

One ``stripe.StripeClient`` per connector (its own key, base address and timeout; never the SDK's
module-global ``stripe.api_key``) with ``max_network_retries=0``: the gateway decides retries and
failover, from the ``Outcome`` each call is classified into (the tables below; docs/connectors.md#stripe).

The provider's code and message are kept verbatim; the only edit is that anything shaped like an API key
(Stripe echoes a masked one on a bad key) or the card number of the call is replaced by ``[redacted]``.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
import stripe
import urllib3.exceptions

from paygate.connectors.base import (
    ConnectorResult,
    InvalidSignature,
    Outcome,
    PaymentRequest,
    ProviderEvent,
)

NAME = "stripe"

# PaymentIntent status -> Outcome, for authorize and sync. requires_capture is an authorization that
# succeeded (manual capture). requires_payment_method after a confirmation means it failed: that one is
# classified from last_payment_error (see _intent_result), not from this table.
INTENT_STATUS: Mapping[str, Outcome] = {
    "succeeded": Outcome.SUCCEEDED,
    "requires_capture": Outcome.SUCCEEDED,
    "processing": Outcome.PENDING,
    "requires_action": Outcome.REQUIRES_ACTION,
}

REFUND_STATUS: Mapping[str, Outcome] = {
    "succeeded": Outcome.SUCCEEDED,
    "pending": Outcome.PENDING,
    "requires_action": Outcome.REQUIRES_ACTION,
    "failed": Outcome.PROCESSOR_ERROR,
    "canceled": Outcome.PROCESSOR_ERROR,
}

# Card errors (HTTP 402, or a failed PaymentIntent's last_payment_error): the decline_code when Stripe
# gives one, else the error code. Hard: the card will not work, whatever is retried. Anything not listed
# is soft (Stripe's default decline_code is generic_decline).
HARD_DECLINES: frozenset[str] = frozenset(
    {
        "stolen_card",
        "lost_card",
        "pickup_card",
        "restricted_card",
        "fraudulent",
        "merchant_blacklist",
        "invalid_number",
        "incorrect_number",
        "invalid_account",
        "expired_card",
        "invalid_expiry_month",
        "invalid_expiry_year",
        "invalid_cvc",
        "incorrect_cvc",
        "incorrect_zip",
        "card_not_supported",
        "currency_not_supported",
        "transaction_not_allowed",
        "do_not_try_again",
        "revocation_of_all_authorizations",
        "revocation_of_authorization",
        "security_violation",
        "service_not_allowed",
        "stop_payment_order",
        "new_account_information_available",
    }
)
SOFT_DECLINES: frozenset[str] = frozenset(
    {
        "generic_decline",
        "insufficient_funds",
        "try_again_later",
        "do_not_honor",
        "processing_error",
        "card_velocity_exceeded",
        "withdrawal_count_limit_exceeded",
        "call_issuer",
        "issuer_not_available",
        "reenter_transaction",
        "approve_with_id",
        "authentication_required",
        "offline_pin_required",
        "online_or_offline_pin_required",
        "pin_try_exceeded",
        "no_action_taken",
        "not_permitted",
        "card_declined",
        "payment_intent_authentication_failure",  # 3-D Secure failed: another attempt may pass it
    }
)

# Stripe error class -> Outcome, for everything that is not a card error or a network error.
# A 500 APIError is UNKNOWN (Stripe: "indeterminate"), 502/503/504 retryable (docs/connectors.md#stripe).
ERROR_CLASSES: tuple[tuple[type[stripe.StripeError], Outcome], ...] = (
    (stripe.RateLimitError, Outcome.PROCESSOR_ERROR_RETRYABLE),
    (stripe.AuthenticationError, Outcome.PROCESSOR_ERROR),
    (stripe.PermissionError, Outcome.PROCESSOR_ERROR),
    (stripe.IdempotencyError, Outcome.PROCESSOR_ERROR),
    (stripe.InvalidRequestError, Outcome.PROCESSOR_ERROR),
)

# Network failures that prove nothing reached Stripe: the connection was never made.
NOT_SENT = (
    requests.exceptions.ConnectTimeout,
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
    urllib3.exceptions.NameResolutionError,
    ConnectionRefusedError,
)

_KEY_SHAPED = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)?_?[A-Za-z0-9*]+")


def decline_outcome(code: str | None, decline_code: str | None) -> Outcome:
    """Classify a card error by its decline_code, else its code (see HARD_DECLINES)."""
    for value in (decline_code, code):
        if value in HARD_DECLINES:
            return Outcome.DECLINED_HARD
        if value in SOFT_DECLINES:
            return Outcome.DECLINED_SOFT
    return Outcome.DECLINED_SOFT


class StripeConnector:
    """``base.Connector`` for Stripe. ``send_return_url=False`` leaves ``return_url`` out of the
    PaymentIntent (localstripe 1.15.10 refuses the parameter); a 3-D Secure card then answers
    ``requires_action`` with ``next_action.type == "use_stripe_sdk"`` and no redirect address."""

    name = NAME

    def __init__(
        self,
        api_key: str,
        api_base: str | None = None,
        timeout: float = 10.0,
        *,
        send_return_url: bool = True,
    ) -> None:
        self._api_key = api_key
        self.api_base = api_base or stripe.DEFAULT_API_BASE
        self.timeout = timeout
        self._send_return_url = send_return_url
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": self.api_base},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def __repr__(self) -> str:
        return f"StripeConnector(api_base={self.api_base!r}, timeout={self.timeout!r})"

    __str__ = __repr__

    # --- the calls -------------------------------------------------------------------------------

    def authorize(self, request: PaymentRequest) -> ConnectorResult:
        if request.method != "card" or request.card is None:
            # Stripe offers no Paytm, PhonePe or Amazon Pay (nor UPI): a routing rule that sends one here
            # is the merchant's configuration error, answered as the provider refusing it (not a crash)
            return ConnectorResult(
                Outcome.PROCESSOR_ERROR,
                NAME,
                provider_code="unsupported_payment_method",
                provider_message=f"the stripe connector takes card payments only, not {request.method}",
            )
        card = request.card

        def call() -> ConnectorResult:
            billing = {"name": card.holder} if card.holder else None
            method = self._client.v1.payment_methods.create(
                {
                    "type": "card",
                    "card": {
                        "number": card.number,
                        "exp_month": card.exp_month,
                        "exp_year": card.exp_year,
                        # a saved card's later payments go without it (forgotten after the first)
                        **({"cvc": card.cvc} if card.cvc else {}),
                    },
                    **({"billing_details": billing} if billing else {}),
                },
                {"idempotency_key": f"{request.idempotency_key}:payment_method"},
            )
            params: dict[str, Any] = {
                "amount": request.amount,
                "currency": request.currency.lower(),
                "payment_method": method.id,
                "payment_method_types": ["card"],
                "capture_method": "automatic" if request.capture else "manual",
                "confirm": True,
                "metadata": {**request.metadata, "payment_id": request.payment_id},
            }
            if request.off_session:  # a merchant-initiated payment: Stripe asks for no authentication
                params["off_session"] = True
            if request.request_three_d_secure:  # a risk rule asked for it (docs/risk.md)
                params["payment_method_options"] = {"card": {"request_three_d_secure": "any"}}
            if request.return_url and self._send_return_url:
                params["return_url"] = request.return_url
            intent = self._client.v1.payment_intents.create(
                params, {"idempotency_key": request.idempotency_key}
            )
            return self._intent_result(intent.to_dict())

        return self._timed(call, pan=card.number)

    def capture(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult:
        def call() -> ConnectorResult:
            intent = self._client.v1.payment_intents.capture(
                reference, {"amount_to_capture": amount}, {"idempotency_key": idempotency_key}
            )
            data = intent.to_dict()
            result = self._intent_result(data)
            # The amount captured: Stripe's amount_received (localstripe leaves it out: the amount it took).
            received = data.get("amount_received")
            return _replace(result, amount=received if received is not None else amount)

        return self._timed(call)

    def void(self, reference: str, idempotency_key: str) -> ConnectorResult:
        def call() -> ConnectorResult:
            intent = self._client.v1.payment_intents.cancel(
                reference, {}, {"idempotency_key": idempotency_key}
            )
            outcome = Outcome.SUCCEEDED if intent.status == "canceled" else Outcome.PROCESSOR_ERROR
            return _replace(self._intent_result(intent.to_dict()), outcome=outcome)

        return self._timed(call)

    def refund(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult:
        def call() -> ConnectorResult:
            refund = self._client.v1.refunds.create(
                {"payment_intent": reference, "amount": amount}, {"idempotency_key": idempotency_key}
            )
            return self._refund_result(refund.to_dict())

        return self._timed(call)

    def sync(self, reference: str) -> ConnectorResult:
        """The state of a PaymentIntent (``pi_...``) or of a refund (``re_...``)."""

        def call() -> ConnectorResult:
            if reference.startswith("re_"):
                return self._refund_result(self._client.v1.refunds.retrieve(reference).to_dict())
            return self._intent_result(self._client.v1.payment_intents.retrieve(reference).to_dict())

        return self._timed(call)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], secret: str) -> ProviderEvent:
        """Verify ``Stripe-Signature`` (HMAC with the endpoint secret, 300 s tolerance: an old event
        replayed with its old signature is refused) and normalize the event. Types the gateway does not
        act on come back as kind ``ignored`` (answer 200, change nothing)."""
        signature = next((v for k, v in headers.items() if k.lower() == "stripe-signature"), None)
        try:
            event = self._client.construct_event(body, signature, secret)
        except stripe.SignatureVerificationError:
            raise InvalidSignature("the Stripe-Signature header does not verify") from None
        except ValueError:
            raise InvalidSignature("the body is not a Stripe event") from None
        return _normalize_event(event, self._intent_result, self._refund_result)

    # --- answers -> results ----------------------------------------------------------------------

    def _intent_result(self, intent: Mapping[str, Any]) -> ConnectorResult:
        status = intent.get("status")
        error = intent.get("last_payment_error") or {}
        details: dict[str, str] = {}
        next_action_url = None
        if status in INTENT_STATUS:
            outcome = INTENT_STATUS[status]
        elif status == "requires_payment_method" and error:
            outcome = decline_outcome(error.get("code"), error.get("decline_code"))
        else:  # canceled, or never confirmed: nothing the base Outcome names (docs/connectors.md#stripe)
            outcome = Outcome.PROCESSOR_ERROR
        if error.get("decline_code"):
            details["decline_code"] = error["decline_code"]
        if intent.get("cancellation_reason"):
            details["cancellation_reason"] = intent["cancellation_reason"]
        if status == "requires_action" and intent.get("next_action"):
            action = intent["next_action"]
            details["next_action_type"] = action.get("type", "")
            redirect = action.get("redirect_to_url") or {}
            next_action_url = redirect.get("url")
        return ConnectorResult(
            outcome=outcome,
            connector=NAME,
            provider_reference=intent.get("id"),
            provider_code=error.get("code"),
            provider_message=error.get("message"),
            raw_status=status,
            amount=intent.get("amount"),
            currency=(intent.get("currency") or "").upper() or None,
            next_action_url=next_action_url,
            details=details,
        )

    def _refund_result(self, refund: Mapping[str, Any]) -> ConnectorResult:
        status = refund.get("status")
        details = {"payment_intent": refund["payment_intent"]} if refund.get("payment_intent") else {}
        return ConnectorResult(
            outcome=REFUND_STATUS.get(status, Outcome.PROCESSOR_ERROR),
            connector=NAME,
            provider_reference=refund.get("id"),
            provider_code=refund.get("failure_reason"),
            raw_status=status,
            amount=refund.get("amount"),
            currency=(refund.get("currency") or "").upper() or None,
            details=details,
        )

    # --- timing and errors -----------------------------------------------------------------------

    def _timed(self, call: Callable[[], ConnectorResult], pan: str | None = None) -> ConnectorResult:
        started = time.monotonic()
        try:
            result = call()
        except stripe.StripeError as error:
            result = self._error_result(error, pan)
        return _replace(result, latency_ms=round((time.monotonic() - started) * 1000))

    def _error_result(self, error: stripe.StripeError, pan: str | None) -> ConnectorResult:
        body = (error.json_body or {}).get("error") if isinstance(error.json_body, dict) else None
        body = body if isinstance(body, dict) else None
        code = (body.get("code") if body else None) or error.code
        decline_code = body.get("decline_code") if body else None
        message = self._scrub(error.user_message, pan)
        details = {"decline_code": decline_code} if decline_code else {}
        if isinstance(error, stripe.APIConnectionError):
            sent = not _never_sent(error)
            details = {"network_error": type(error.__cause__).__name__, "sent": str(sent).lower()}
            # Refused before sending: nothing happened. Anything after sending (a read timeout, a reset):
            # it may have been charged, so UNKNOWN (sync it before anything else).
            outcome = Outcome.UNKNOWN if sent else Outcome.PROCESSOR_ERROR_RETRYABLE
            return ConnectorResult(outcome=outcome, connector=NAME, details=details)
        if isinstance(error, stripe.CardError):
            outcome = decline_outcome(code, decline_code)
        elif isinstance(error, stripe.APIError):
            status = error.http_status or 0
            # 500: Stripe's own word is "indeterminate" (it may have been processed): sync before anything
            # else, never fail over on it; 502/503/504: the request was not processed
            outcome = (
                Outcome.UNKNOWN
                if status == 500
                else Outcome.PROCESSOR_ERROR_RETRYABLE
                if status > 500
                else Outcome.PROCESSOR_ERROR
            )
        else:
            outcome = next((o for cls, o in ERROR_CLASSES if isinstance(error, cls)), Outcome.PROCESSOR_ERROR)
        intent = body.get("payment_intent") if body else None
        return ConnectorResult(
            outcome=outcome,
            connector=NAME,
            provider_reference=intent.get("id") if intent else None,
            provider_code=code,
            provider_message=message,
            raw_status=intent.get("status") if intent else None,
            details=details,
        )

    def _scrub(self, text: str | None, pan: str | None) -> str | None:
        if not text:
            return text
        for secret in (self._api_key, pan):
            if secret:
                text = text.replace(secret, "[redacted]")
        return _KEY_SHAPED.sub("[redacted]", text)


def _never_sent(error: stripe.APIConnectionError) -> bool:
    """Whether the cause chain shows the connection was never made (refused, connect timeout, DNS)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error.__cause__]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NOT_SENT):
            return True
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
    return False


def _replace(result: ConnectorResult, **changes: Any) -> ConnectorResult:
    return dataclasses.replace(result, **changes)


# Stripe event type -> (normalized kind, what the object is).
EVENT_KINDS: Mapping[str, str] = {
    "payment_intent.succeeded": "payment.succeeded",
    "payment_intent.amount_capturable_updated": "payment.succeeded",
    "payment_intent.payment_failed": "payment.failed",
    "charge.refunded": "refund.processed",
    "refund.created": "refund",
    "refund.updated": "refund",
    "refund.failed": "refund",
}


def _normalize_event(
    event: Any,
    intent_result: Callable[[Mapping[str, Any]], ConnectorResult],
    refund_result: Callable[[Mapping[str, Any]], ConnectorResult],
) -> ProviderEvent:
    obj: dict[str, Any] = event.data.object.to_dict()
    kind = EVENT_KINDS.get(event.type, "ignored")
    if event.type.startswith("payment_intent."):
        result = intent_result(obj)
        if (
            kind == "payment.succeeded"
            and obj.get("capture_method") == "manual"
            and obj.get("status") == "succeeded"
        ):
            kind = "payment.captured"  # a manual-capture intent succeeds when it is captured
        reference = obj["id"]
    elif event.type == "charge.refunded":
        reference = obj.get("payment_intent") or obj["id"]
        result = ConnectorResult(
            outcome=Outcome.SUCCEEDED,
            connector=NAME,
            provider_reference=reference,
            raw_status=obj.get("status"),
            amount=obj.get("amount_refunded"),
            currency=(obj.get("currency") or "").upper() or None,
            details={"charge": obj["id"]},
        )
    elif kind == "refund":
        result = refund_result(obj)
        reference = obj["id"]
        kind = {Outcome.SUCCEEDED: "refund.processed", Outcome.PROCESSOR_ERROR: "refund.failed"}.get(
            result.outcome, "ignored"
        )
    else:
        reference = obj.get("id") or ""
        result = ConnectorResult(outcome=Outcome.PENDING, connector=NAME, provider_reference=reference)
    return ProviderEvent(
        event_id=event.id, kind=kind, provider_reference=reference, result=result, raw_type=event.type
    )
