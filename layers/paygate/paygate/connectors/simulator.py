"""The simulator connector: the seeds' simulated processor behind the connector interface.

Outside test mode a payment succeeds at the seeds' rates (UPI 90 %, card 95 %); in test mode
``TEST_PAYMENT_SUCCESS`` decides. The Visa test card ending 0119 (Stripe's "processing error" card)
meets an outage on its first two attempts in test mode, so retries and failover can be seen working.
Captures, voids and refunds always succeed (the refund's simulated delay is the refund queue's).

3-D Secure in test mode, on Stripe's documented test cards (docs/connectors.md "3-D Secure"): the
challenged cards answer ``requires_action`` until the request carries the payer's authentication
(``PaymentRequest.authentication``, after the hosted challenge), the frictionless card succeeds with its
authentication in ``details``, the failed-authentication card is declined. Outside test mode nothing
here changes: a live simulator never asks for a challenge.

Wallets (Paytm, PhonePe, Amazon Pay; docs/connectors.md "Wallets"): in test mode a wallet payment answers
``requires_action`` (the gateway's hosted wallet page) until the request carries the payer's approval
(``PaymentRequest.authentication`` with ``flow: wallet``), then ``TEST_PAYMENT_SUCCESS`` decides. A live
simulator has no wallet to send the payer to: it decides at once, at the UPI rate (the seeds give no
wallet rate, and a wallet, like UPI, is a payer's approval in an app).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import replace

from paygate.connectors.base import ConnectorResult, InvalidSignature, Outcome, PaymentRequest, ProviderEvent
from paygate.core.settings import Processing

NAME = "simulator"
OUTAGE_TEST_CARD_LAST4 = "0119"
OUTAGE_ATTEMPTS = 2
DECLINES = {
    "card": ("CARD_DECLINED", "the card was declined by the issuing bank"),
    "upi": ("UPI_DECLINED", "the UPI collect request was declined by the payer's bank"),
    "wallet": ("WALLET_DECLINED", "the payment was declined at the payer's wallet"),
}


# --- 3-D Secure test cards (test mode only; Stripe's numbers) -----------------------------------------
# Decided on the last four digits, like the outage card: the attempt path keeps only those (the card
# itself stays in the vault for the simulator). 4000 0025 0000 3155 (always challenged), 4000 0000 0000
# 3220 (challenged), 4000 0000 0000 3055 (frictionless), 4000 0084 0000 1280 (authentication fails).
CHALLENGE_CARDS = frozenset({"3155", "3220"})
# 4000 0027 6000 3184: authentication on every payment, off session too (Stripe's number): an off-session
# payment with it fails AUTHENTICATION_REQUIRED. The other challenge cards are exempt off session (the
# setup's authentication and the mandate cover merchant-initiated payments).
ALWAYS_AUTHENTICATE_CARD = "3184"
FRICTIONLESS_CARD = "3055"
FAILED_AUTHENTICATION_CARD = "1280"
AUTHENTICATION_FAILED = "payment_intent_authentication_failure"  # Stripe's code, kept verbatim
FRICTIONLESS = {"authentication": "authenticated", "flow": "frictionless", "eci": "05", "version": "2.2.0"}


class SimulatorConnector:
    name = NAME

    def __init__(self, settings: Processing) -> None:
        self.settings = settings

    def _result(
        self,
        outcome: Outcome,
        reference: str,
        started: float,
        raw_status: str,
        code: str | None = None,
        message: str | None = None,
        amount: int | None = None,
        currency: str | None = None,
    ) -> ConnectorResult:
        return ConnectorResult(
            outcome,
            NAME,
            provider_reference=reference,
            provider_code=code,
            provider_message=message,
            raw_status=raw_status,
            amount=amount,
            currency=currency,
            latency_ms=int((time.perf_counter() - started) * 1000),
        )

    def _succeeds(self, method: str) -> bool:
        if self.settings.test_mode:
            return self.settings.test_payment_success
        upi_like = method in ("upi", "wallet")
        rate = self.settings.upi_success_rate if upi_like else self.settings.card_success_rate
        return random.random() < rate  # noqa: S311 - a simulated outcome, not a secret

    def authorize(self, request: PaymentRequest) -> ConnectorResult:
        started = time.perf_counter()
        reference = f"sim_{request.payment_id}"
        last4 = request.card.last4 if request.card else request.card_last4
        if self.settings.test_mode and last4 == OUTAGE_TEST_CARD_LAST4 and request.attempt < OUTAGE_ATTEMPTS:
            outage = f"simulated processor outage (attempt {request.attempt + 1})"
            return self._result(
                Outcome.PROCESSOR_ERROR_RETRYABLE,
                reference,
                started,
                "unavailable",
                "PROCESSOR_UNAVAILABLE",
                outage,
            )
        if self.settings.test_mode and request.method == "card" and request.authentication is None:
            secure = self._three_d_secure(last4, request, reference, started)
            if secure is not None:
                return secure
        if self.settings.test_mode and request.method == "wallet" and request.authentication is None:
            # the payer approves (or not) on the gateway's hosted wallet page (payments/next_action.py)
            return self._result(Outcome.REQUIRES_ACTION, reference, started, "requires_action")
        if self._succeeds(request.method):
            return self._authorized(request, reference, started)
        code, message = DECLINES.get(request.method, DECLINES["card"])
        return self._result(Outcome.DECLINED_SOFT, reference, started, "declined", code, message)

    def _three_d_secure(
        self, number: str | None, request: PaymentRequest, reference: str, started: float
    ) -> ConnectorResult | None:
        """The 3DS test cards' answers; None for any other card."""
        challenged = number in CHALLENGE_CARDS and not request.off_session
        if number == ALWAYS_AUTHENTICATE_CARD or challenged or request.request_three_d_secure:
            # the gateway's hosted challenge page (payments/next_action.py signs its address)
            return self._result(Outcome.REQUIRES_ACTION, reference, started, "requires_action")
        if number == FAILED_AUTHENTICATION_CARD:
            failed = self._result(
                Outcome.DECLINED_SOFT,
                reference,
                started,
                "declined",
                AUTHENTICATION_FAILED,
                "the card's 3-D Secure authentication failed",
            )
            return replace(failed, details={"authentication": "failed", "flow": "frictionless"})
        if number == FRICTIONLESS_CARD and self._succeeds(request.method):
            return replace(self._authorized(request, reference, started), details=dict(FRICTIONLESS))
        return None

    def _authorized(self, request: PaymentRequest, reference: str, started: float) -> ConnectorResult:
        status = "captured" if request.capture else "authorized"
        return self._result(
            Outcome.SUCCEEDED, reference, started, status, amount=request.amount, currency=request.currency
        )

    def capture(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult:
        started = time.perf_counter()
        return self._result(
            Outcome.SUCCEEDED, reference, started, "captured", amount=amount, currency=currency
        )

    def void(self, reference: str, idempotency_key: str) -> ConnectorResult:
        return self._result(Outcome.SUCCEEDED, reference, time.perf_counter(), "voided")

    def refund(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult:
        started = time.perf_counter()
        refund = f"simrf_{idempotency_key}"
        return self._result(Outcome.SUCCEEDED, refund, started, "refunded", amount=amount, currency=currency)

    def sync(self, reference: str) -> ConnectorResult:
        # the simulator keeps no record of its answers: nothing to sync against
        return self._result(Outcome.UNKNOWN, reference, time.perf_counter(), "not_tracked")

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], secret: str) -> ProviderEvent:
        raise InvalidSignature("the simulator sends no webhooks")
