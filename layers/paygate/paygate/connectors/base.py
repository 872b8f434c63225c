"""The one interface every payment processor connector implements, and what it answers.

A connector turns the gateway's requests into one provider's API calls (its official SDK) and the
provider's answers into a ``ConnectorResult``: the provider's own code and message, kept verbatim, and
an ``Outcome`` that routing and retries act on. Nothing above this module knows a provider's codes.

Card data (``Card``) lives in memory for the duration of one call: it is never stored, logged or
shown by ``repr`` (PANs at rest belong to the vault; the CVC is never stored anywhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Outcome(StrEnum):
    """What a connector call came to, as routing and retries need it."""

    SUCCEEDED = "succeeded"  # the call did what it asked (authorized, captured, voided, refunded)
    PENDING = "pending"  # accepted; the result comes later (provider webhook or sync)
    REQUIRES_ACTION = "requires_action"  # the payer must act first (3-D Secure challenge, wallet redirect)
    DECLINED_HARD = "declined_hard"  # refused for good (invalid number, stolen card): never retried
    DECLINED_SOFT = "declined_soft"  # refused this time (insufficient funds, try later): the payer may retry
    PROCESSOR_ERROR_RETRYABLE = "processor_error_retryable"  # nothing happened (outage, 5xx, refused
    # connection, rate limited): the attempt may fail over to another connector
    PROCESSOR_ERROR = "processor_error"  # a request the provider refuses (bad credentials, bad input)
    UNKNOWN = "unknown"  # sent, no answer (a timeout after sending): may have been charged; sync it,
    # never fail over before the sync says it did not happen

    @property
    def failover_allowed(self) -> bool:
        """Whether another connector may be tried for the same attempt: only when nothing happened."""
        return self is Outcome.PROCESSOR_ERROR_RETRYABLE

    @property
    def is_decline(self) -> bool:
        return self in (Outcome.DECLINED_HARD, Outcome.DECLINED_SOFT)


@dataclass(frozen=True)
class ConnectorResult:
    outcome: Outcome
    connector: str  # the connector's name: "simulator", "stripe", "razorpay"
    provider_reference: str | None = None  # the provider's id of the payment or refund (pi_..., pay_...)
    provider_code: str | None = None  # the provider's own code, verbatim (card_declined, BAD_REQUEST_ERROR)
    provider_message: str | None = None  # the provider's own message, verbatim (never card data)
    raw_status: str | None = None  # the provider's status string (requires_capture, authorized...)
    amount: int | None = None  # minor units the provider reports for this call
    currency: str | None = None
    latency_ms: int = 0
    next_action_url: str | None = None  # REQUIRES_ACTION: where the payer goes (3DS page, wallet)
    details: Mapping[str, str] = field(default_factory=dict)  # e.g. 3DS eci / version, network


@dataclass(frozen=True)
class Card:
    number: str = field(repr=False)
    exp_month: int = field(repr=False)
    exp_year: int = field(repr=False)
    cvc: str = field(repr=False)
    holder: str | None = field(default=None, repr=False)

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class PaymentRequest:
    """One authorization attempt. ``idempotency_key`` is the attempt's own id: the provider sees at
    most one charge per attempt however often the call is repeated (SQS redelivery, a retry after
    UNKNOWN)."""

    payment_id: str
    amount: int  # minor units
    currency: str  # ISO 4217, upper case
    method: str  # "card", "upi", "wallet"
    idempotency_key: str
    capture: bool = True  # False: authorize only (manual capture later)
    card: Card | None = None
    upi_vpa: str | None = None
    wallet: str | None = None  # "paytm", "phonepe", "amazonpay"
    return_url: str | None = None  # where the payer comes back after REQUIRES_ACTION
    description: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    attempt: int = 0  # which attempt of this payment (0: the first), for connectors that care (simulator)
    card_last4: str | None = None  # when the card itself is not at hand (the simulator decides on it)
    # The payer's completed 3-D Secure authentication ({status, eci, version}), when this authorization
    # follows a challenge: 3DS2 sends the authentication result with the authorization that follows it,
    # and a connector that challenges must know not to challenge again. None: no challenge was done.
    authentication: Mapping[str, str] | None = None
    # The customer is not present (a saved method charged under its mandate): nobody can answer a
    # challenge, so a connector asks for none it may skip, and a card that insists fails the payment.
    off_session: bool = False
    # A risk rule asked for 3-D Secure: the connector requests a challenge whatever the card's own rules.
    request_three_d_secure: bool = False


@dataclass(frozen=True)
class ProviderEvent:
    """A provider's webhook, verified and normalized."""

    event_id: str  # the provider's event id: what applying it once is keyed on
    # normalized: payment.succeeded, payment.failed, payment.captured, refund.processed, refund.failed;
    # "ignored" for a provider event the gateway does not act on (answered 200, nothing applied)
    kind: str
    provider_reference: str  # the payment's (or refund's) provider id
    result: ConnectorResult
    raw_type: str  # the provider's own event type (payment_intent.succeeded, payment.captured...)


class InvalidSignature(Exception):
    """A provider webhook whose signature does not verify (answered 400, nothing applied)."""


@runtime_checkable
class Connector(Protocol):
    """Every call returns a result, even for a provider error (classified); it raises only for a
    programming error. Each call has its own deadline (``timeout`` seconds, set at construction)."""

    name: str

    def authorize(self, request: PaymentRequest) -> ConnectorResult: ...

    def capture(
        self, reference: str, amount: int, currency: str, idempotency_key: str
    ) -> ConnectorResult: ...

    def void(self, reference: str, idempotency_key: str) -> ConnectorResult: ...

    def refund(self, reference: str, amount: int, currency: str, idempotency_key: str) -> ConnectorResult: ...

    def sync(self, reference: str) -> ConnectorResult: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], secret: str) -> ProviderEvent: ...
