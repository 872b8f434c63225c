"""The Razorpay connector: the official ``razorpay`` SDK, Razorpay's server-to-server card flow.

An authorization is an order (``receipt`` = the attempt's idempotency key; ``payment_capture`` 1 for
Razorpay's own auto-capture, 0 for a manual capture later) and an S2S card payment on it
(``POST /v1/payments/create/json``). The order is what makes a repeated call safe: Razorpay has no
idempotency key on payment creation, so ``authorize`` first looks the order up by receipt and answers
with the payment already made on it instead of charging again; and after a timeout (``UNKNOWN``) the
result carries the order's id, which ``sync`` turns into whatever payment it holds.

The SDK raises ``BadRequestError`` / ``GatewayError`` / ``ServerError`` with the description only; the
code, reason, source and step of Razorpay's error body (what a decline is classified on) are read from
the response itself, which the connector's HTTP session keeps for the calling thread. Classification
table and decisions: docs/connectors.md#razorpay.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import razorpay
import requests
from razorpay.errors import SignatureVerificationError
from urllib3.exceptions import NewConnectionError

from paygate.connectors.base import (
    ConnectorResult,
    InvalidSignature,
    Outcome,
    PaymentRequest,
    ProviderEvent,
)

T = TypeVar("T")

# Razorpay's decline reasons (error.reason / a payment's error_reason): refused for good ...
HARD_DECLINES = frozenset(
    {
        "incorrect_card_details",
        "card_number_invalid",
        "card_expired",
        "invalid_card",
        "card_stolen",
        "card_lost",
        "card_blocked",
        "debit_instrument_blocked",
        "debit_instrument_inactive",
        "card_not_enrolled",
        "card_not_supported",
        "international_transaction_not_allowed",
        "payment_risk_check_failed",
    }
)
# ... or refused this time: the payer may try again (or with another card)
SOFT_DECLINES = frozenset(
    {
        "card_declined",
        "insufficient_funds",
        "authentication_failed",
        "incorrect_otp",
        "invalid_otp",
        "payment_timed_out",
        "payment_cancelled",
        "transaction_limit_exceeded",
        "card_limit_exceeded",
        "issuer_bank_declined",
        "bank_technical_error",
        "bank_not_available",
        "payment_declined",
    }
)
# The gateway between Razorpay and the networks failed: the payment failed, nothing was charged, another
# processor may well succeed.
RETRYABLE_REASONS = frozenset({"gateway_technical_error", "server_error", "gateway_timeout"})
# An unlisted reason coming from the payer or the issuer while authenticating or authorizing is a decline
PAYER_SOURCES = frozenset({"customer", "issuer_bank", "bank"})

RECEIPT_MAX = 40  # Razorpay's limit on an order's (and a refund's) receipt
PAYER_EMAIL = "void@razorpay.com"  # Razorpay's documented stand-in when the payer's email is not collected


class _ResponseKeepingSession(requests.Session):
    """The SDK's HTTP session with the connector's deadline on every call, keeping the last response of
    the calling thread (the SDK drops the error body's code and reason)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout
        self._local = threading.local()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self._timeout
        self._local.response = None
        response = super().request(method, url, *args, **kwargs)
        self._local.response = response
        return response

    @property
    def last_response(self) -> requests.Response | None:
        return getattr(self._local, "response", None)


class RazorpayConnector:
    """``base.Connector`` for Razorpay. ``base_url`` points the SDK elsewhere (the tests' contract fake);
    ``timeout`` is each HTTP call's deadline in seconds. The SDK's own retries stay off: a retry after a
    timeout could charge twice, and failover decisions belong to routing."""

    name = "razorpay"

    def __init__(
        self, key_id: str, key_secret: str, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        self.key_id = key_id
        self.base_url = base_url
        self.timeout = timeout
        self._session = _ResponseKeepingSession(timeout)
        options = {"base_url": base_url.rstrip("/")} if base_url else {}
        self._client = razorpay.Client(session=self._session, auth=(key_id, key_secret), **options)
        self._client.set_app_details({"title": "paygate"})

    def __repr__(self) -> str:
        return (
            f"RazorpayConnector(key_id={self.key_id!r}, base_url={self.base_url!r}, timeout={self.timeout})"
        )

    # --- the interface --------------------------------------------------------------------------
    def authorize(self, request: PaymentRequest) -> ConnectorResult:
        started = time.monotonic()
        if request.method != "card" or request.card is None:
            return self._result(
                started,
                Outcome.PROCESSOR_ERROR,
                provider_message=f"the razorpay connector takes card payments only (not {request.method})",
            )
        receipt = request.idempotency_key[:RECEIPT_MAX]
        # Before anything is created, a failure means nothing happened: a timeout is retryable here.
        found = self._call(started, lambda: self._client.order.all({"receipt": receipt}), sent_is_safe=True)
        if isinstance(found, ConnectorResult):
            return found
        order = next(iter(found.get("items") or []), None)
        if order is not None:
            done = self._payments_of(started, order["id"])
            if isinstance(done, ConnectorResult):
                return done
            made = _settled_payment(done)
            if made is not None:  # a repeat of an attempt that already charged: answer, don't charge again
                return self._payment_result(started, made, capture=request.capture)
        else:
            order_body = {
                "amount": request.amount,
                "currency": request.currency,
                "receipt": receipt,
                "payment_capture": 1 if request.capture else 0,
                "notes": {"paygate_payment_id": request.payment_id},
            }
            order = self._call(started, lambda: self._client.order.create(order_body), sent_is_safe=True)
            if isinstance(order, ConnectorResult):
                return order
        card = request.card
        payment_body = {
            "amount": request.amount,
            "currency": request.currency,
            "order_id": order["id"],
            "method": "card",
            "email": request.metadata.get("email", PAYER_EMAIL),
            "contact": request.metadata.get("contact", ""),
            "description": request.description or "",
            "notes": {"paygate_payment_id": request.payment_id},
            "card": {
                "number": card.number,
                "expiry_month": card.exp_month,
                "expiry_year": card.exp_year,
                **({"cvv": card.cvc} if card.cvc else {}),  # a saved card's later payments: none
                "name": card.holder or "",
            },
        }
        if request.return_url:
            payment_body["callback_url"] = request.return_url
        created = self._call(
            started, lambda: self._client.payment.createPaymentJson(payment_body), reference=order["id"]
        )
        if isinstance(created, ConnectorResult):
            return created
        payment_id = created.get("razorpay_payment_id")
        redirect = next(
            (n.get("url") for n in created.get("next") or [] if n.get("action") == "redirect"), None
        )
        if redirect:
            return self._result(
                started,
                Outcome.REQUIRES_ACTION,
                provider_reference=payment_id,
                raw_status=created.get("status", "created"),
                amount=request.amount,
                currency=request.currency,
                next_action_url=redirect,
            )
        if "status" not in created:  # Razorpay's create answer may carry the id only: read the payment
            fetched = self._call(
                started, lambda: self._client.payment.fetch(payment_id), reference=payment_id
            )
            if isinstance(fetched, ConnectorResult):
                return fetched
            return self._payment_result(started, fetched, capture=request.capture)
        return self._payment_result(
            started,
            {
                "id": payment_id,
                "status": created["status"],
                "amount": request.amount,
                "currency": request.currency,
            },
            capture=request.capture,
        )

    def capture(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult:
        started = time.monotonic()
        body = {"amount": amount, "currency": currency}
        captured = self._call(
            started, lambda: self._client.payment.capture(reference, amount, body), reference=reference
        )
        if isinstance(captured, ConnectorResult):
            if captured.outcome is Outcome.PROCESSOR_ERROR:
                # Razorpay refuses a second capture: a repeated call is answered by the payment's state
                payment = self._call(
                    started, lambda: self._client.payment.fetch(reference), reference=reference
                )
                if not isinstance(payment, ConnectorResult) and payment.get("status") in (
                    "captured",
                    "refunded",
                ):
                    return self._payment_result(started, payment, capture=True)
            return captured
        return self._payment_result(started, captured, capture=True)

    def void(self, reference: str, idempotency_key: str) -> ConnectorResult:
        """Razorpay has no void: an authorized payment that is never captured is refunded to the payer by
        Razorpay itself (after its capture window). So: an authorized payment answers PENDING (released
        later; sync shows it ``refunded``), a failed one SUCCEEDED (nothing to release), a captured one
        PROCESSOR_ERROR (it needs a refund, which is the caller's decision, not a void's)."""
        started = time.monotonic()
        payment = self._call(started, lambda: self._client.payment.fetch(reference), reference=reference)
        if isinstance(payment, ConnectorResult):
            return payment
        status = payment.get("status")
        outcome = {
            "authorized": Outcome.PENDING,
            "created": Outcome.PENDING,
            "failed": Outcome.SUCCEEDED,
            "refunded": Outcome.SUCCEEDED if not payment.get("captured") else Outcome.PROCESSOR_ERROR,
        }.get(str(status), Outcome.PROCESSOR_ERROR)
        return self._result(
            started,
            outcome,
            provider_reference=reference,
            raw_status=status,
            amount=payment.get("amount"),
            currency=payment.get("currency"),
            details={"void": "razorpay_releases_uncaptured_authorizations"},
        )

    def refund(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult:
        started = time.monotonic()
        receipt = idempotency_key[:RECEIPT_MAX]
        existing = self._call(
            started, lambda: self._client.payment.fetch_multiple_refund(reference), reference=reference
        )
        if isinstance(existing, ConnectorResult):
            return existing
        for refund in existing.get("items") or []:
            if refund.get("receipt") == receipt:  # a repeat: answer with the refund already made
                return self._refund_result(started, refund)
        body = {"amount": amount, "receipt": receipt, "notes": {"paygate_idempotency_key": receipt}}
        refund = self._call(
            started, lambda: self._client.payment.refund(reference, body), reference=reference
        )
        if isinstance(refund, ConnectorResult):
            return refund
        return self._refund_result(started, refund)

    def sync(self, reference: str) -> ConnectorResult:
        """The provider's state of a payment (``pay_``), a refund (``rfnd_``) or an order (``order_``: the
        reference an ``UNKNOWN`` authorization answers with)."""
        started = time.monotonic()
        if reference.startswith("rfnd_"):
            refund = self._call(started, lambda: self._client.refund.fetch(reference), reference=reference)
            return refund if isinstance(refund, ConnectorResult) else self._refund_result(started, refund)
        if reference.startswith("order_"):
            payments = self._payments_of(started, reference)
            if isinstance(payments, ConnectorResult):
                return payments
            payment = _settled_payment(payments) or next(iter(payments), None)
            if payment is None:  # the payment request never arrived: nothing was charged
                return self._result(
                    started,
                    Outcome.PROCESSOR_ERROR_RETRYABLE,
                    provider_reference=reference,
                    provider_message="no payment was made on the order",
                )
            order = self._call(started, lambda: self._client.order.fetch(reference), reference=reference)
            capture = True if isinstance(order, ConnectorResult) else bool(order.get("payment_capture", True))
            return self._payment_result(started, payment, capture=capture)
        payment = self._call(started, lambda: self._client.payment.fetch(reference), reference=reference)
        if isinstance(payment, ConnectorResult):
            return payment
        return self._payment_result(started, payment, capture=False)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], secret: str) -> ProviderEvent:
        lower = {k.lower(): v for k, v in headers.items()}
        signature = lower.get("x-razorpay-signature", "")
        try:
            text = body.decode("utf-8")
            razorpay.Utility(None).verify_webhook_signature(text, signature, secret)
        except (SignatureVerificationError, UnicodeDecodeError, TypeError) as error:
            # TypeError: a signature with characters hmac.compare_digest refuses
            raise InvalidSignature("the Razorpay webhook signature does not verify") from error
        event_id = lower.get("x-razorpay-event-id")
        if not event_id:
            raise InvalidSignature("the Razorpay webhook has no x-razorpay-event-id")
        try:
            event = json.loads(text)
        except ValueError as error:
            raise InvalidSignature("the Razorpay webhook body is not JSON") from error
        if not isinstance(event, dict):
            raise InvalidSignature("the Razorpay webhook body is not an event")
        raw_type = str(event.get("event"))
        payload = event.get("payload") or {}
        payment = (payload.get("payment") or {}).get("entity") or {}
        refund = (payload.get("refund") or {}).get("entity") or {}
        started = time.monotonic()
        kind, result = "ignored", self._result(started, Outcome.PENDING, raw_status=raw_type)
        if raw_type in ("payment.authorized", "payment.captured", "payment.failed") and payment:
            kind = {"payment.authorized": "payment.succeeded"}.get(raw_type, raw_type)
            result = self._payment_result(started, payment, capture=raw_type == "payment.captured")
        elif raw_type in ("refund.processed", "refund.failed") and refund:
            kind = raw_type
            result = self._refund_result(started, refund)
        reference = result.provider_reference or payment.get("id") or refund.get("id") or ""
        return ProviderEvent(
            event_id=event_id, kind=kind, provider_reference=reference, result=result, raw_type=raw_type
        )

    # --- calls and their classification ---------------------------------------------------------
    def _call(
        self,
        started: float,
        call: Callable[[], T],
        *,
        reference: str | None = None,
        sent_is_safe: bool = False,
    ) -> T | ConnectorResult:
        """Run one SDK call; a failure becomes a classified result. ``sent_is_safe``: the call creates
        nothing that can be charged, so a timeout after sending is retryable rather than UNKNOWN."""
        try:
            return call()
        except (razorpay.errors.BadRequestError, razorpay.errors.GatewayError, razorpay.errors.ServerError):
            return self._error_result(started, reference, sent_is_safe)
        except requests.exceptions.ConnectionError as error:
            # refused / unreachable: nothing was sent; a connection dropped after sending: may have happened
            not_sent = isinstance(error, requests.exceptions.ConnectTimeout) or _caused_by(
                error, NewConnectionError
            )
            outcome = Outcome.PROCESSOR_ERROR_RETRYABLE if not_sent or sent_is_safe else Outcome.UNKNOWN
            return self._result(
                started, outcome, provider_reference=reference, provider_message=type(error).__name__
            )
        except requests.exceptions.Timeout as error:
            outcome = Outcome.PROCESSOR_ERROR_RETRYABLE if sent_is_safe else Outcome.UNKNOWN
            return self._result(
                started, outcome, provider_reference=reference, provider_message=type(error).__name__
            )
        except requests.exceptions.RequestException as error:  # e.g. a 5xx page that is not JSON
            response = self._session.last_response
            status = response.status_code if response is not None else None
            retryable = status is not None and status >= 500 and (status != 500 or sent_is_safe)
            outcome = Outcome.PROCESSOR_ERROR_RETRYABLE if retryable else Outcome.UNKNOWN
            return self._result(
                started,
                outcome,
                provider_reference=reference,
                provider_message=f"{type(error).__name__} ({status})",
            )

    def _error_result(
        self, started: float, reference: str | None, sent_is_safe: bool = False
    ) -> ConnectorResult:
        response = self._session.last_response
        status = response.status_code if response is not None else 0
        try:
            error = (response.json().get("error") or {}) if response is not None else {}
        except ValueError:
            error = {}
        code = str(error.get("code") or "")
        metadata = error.get("metadata") or {}
        if status == 500 and not sent_is_safe:
            # indeterminate on a call that can charge: synced through the order, never failed over
            outcome = Outcome.UNKNOWN
        elif status >= 500 or code in ("GATEWAY_ERROR", "SERVER_ERROR"):
            outcome = Outcome.PROCESSOR_ERROR_RETRYABLE
        else:
            outcome = classify_reason(error.get("reason"), error.get("source"), error.get("step"))
        details = {
            k: str(error[k])
            for k in ("reason", "source", "step", "field")
            if error.get(k) not in (None, "NA")
        }
        details["http_status"] = str(status)
        return self._result(
            started,
            outcome,
            provider_reference=metadata.get("payment_id") or reference,
            provider_code=code or None,
            provider_message=error.get("description"),
            raw_status="failed" if metadata.get("payment_id") else None,
            details=details,
        )

    def _payments_of(self, started: float, order_id: str) -> list[dict[str, Any]] | ConnectorResult:
        found = self._call(
            started, lambda: self._client.order.payments(order_id), reference=order_id, sent_is_safe=True
        )
        if isinstance(found, ConnectorResult):
            return found
        return list(found.get("items") or [])

    def _payment_result(
        self, started: float, payment: Mapping[str, Any], *, capture: bool
    ) -> ConnectorResult:
        """A payment entity as a result. ``capture``: a capture was asked for (auto-capture), so an
        ``authorized`` payment is still waiting for it (PENDING until payment.captured or a sync)."""
        status = str(payment.get("status"))
        details: dict[str, str] = {}
        code = message = None
        if status == "failed":
            outcome = classify_reason(
                payment.get("error_reason"), payment.get("error_source"), payment.get("error_step")
            )
            code, message = payment.get("error_code"), payment.get("error_description")
            details = {
                k: str(payment[f"error_{k}"])
                for k in ("reason", "source", "step")
                if payment.get(f"error_{k}")
            }
        elif status in ("captured", "refunded"):
            outcome = Outcome.SUCCEEDED
        elif status == "authorized":
            outcome = Outcome.PENDING if capture else Outcome.SUCCEEDED
        else:  # created: waiting for the payer (3-D Secure) or the bank
            outcome = Outcome.PENDING
        card = payment.get("card") or {}
        if card.get("network"):
            details["network"] = str(card["network"])
        if payment.get("amount_refunded"):
            details["amount_refunded"] = str(payment["amount_refunded"])
        return self._result(
            started,
            outcome,
            provider_reference=payment.get("id"),
            provider_code=code,
            provider_message=message,
            raw_status=status,
            amount=payment.get("amount"),
            currency=payment.get("currency"),
            details=details,
        )

    def _refund_result(self, started: float, refund: Mapping[str, Any]) -> ConnectorResult:
        status = str(refund.get("status"))
        outcome = {
            "processed": Outcome.SUCCEEDED,
            "pending": Outcome.PENDING,
            "created": Outcome.PENDING,
        }.get(status, Outcome.PROCESSOR_ERROR)
        return self._result(
            started,
            outcome,
            provider_reference=refund.get("id"),
            raw_status=status,
            amount=refund.get("amount"),
            currency=refund.get("currency"),
            details={"payment_id": str(refund.get("payment_id"))},
        )

    def _result(self, started: float, outcome: Outcome, **fields: Any) -> ConnectorResult:
        latency_ms = int((time.monotonic() - started) * 1000)
        return ConnectorResult(outcome=outcome, connector=self.name, latency_ms=latency_ms, **fields)


def classify_reason(reason: object, source: object, step: object) -> Outcome:
    """A BAD_REQUEST_ERROR (or a failed payment) by Razorpay's ``reason``: a listed decline is hard or
    soft; a gateway failure is retryable on another processor; an unlisted reason from the payer or the
    issuer during authentication / authorization is a soft decline; anything else is a request Razorpay
    refuses (bad key, bad input, wrong state): PROCESSOR_ERROR."""
    if reason in HARD_DECLINES:
        return Outcome.DECLINED_HARD
    if reason in SOFT_DECLINES:
        return Outcome.DECLINED_SOFT
    if reason in RETRYABLE_REASONS:
        return Outcome.PROCESSOR_ERROR_RETRYABLE
    if (
        reason not in (None, "NA", "input_validation_failed")
        and source in PAYER_SOURCES
        and step in ("payment_authentication", "payment_authorization")
    ):
        return Outcome.DECLINED_SOFT
    return Outcome.PROCESSOR_ERROR


def _settled_payment(payments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The payment of an order that holds money (or waits for the payer), if any."""
    return next(
        (p for p in payments if p.get("status") in ("authorized", "captured", "refunded", "created")), None
    )


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind) or any(isinstance(a, kind) for a in getattr(seen, "args", ())):
            return True
        reason = getattr(seen, "reason", None)
        if isinstance(reason, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
