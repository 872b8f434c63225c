"""One payment attempt through routing: which configuration it goes to, its circuit breaker, the call,
and at most one failover. The payments context calls ``authorize``; nothing here writes a payment.

The order of work for an attempt:
1. the merchant's routing configuration for the mode (one GetItem); none: the built-in simulator,
   without reading anything else;
2. each named configuration's state (enabled; the breaker, read only) and ``routing.route``: the
   candidates and the trace;
3. for the first candidate, the breaker's ``allow`` (which may claim the half-open probe), the
   configuration's credentials (one KMS Decrypt), the card from the vault (only for a connector that
   needs it), the provider call, and the breaker told the outcome;
4. only when nothing happened at the provider (``Outcome.failover_allowed``) the next candidate, once.

A call that came back ``unknown`` (sent, no answer) is never failed over: the payment's next attempt is
pinned to the same configuration with the same idempotency key, so the provider answers the first
request's result instead of charging again (``Pinned``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from paygate.connectors import breaker, registry, routing, routing_store, service, store
from paygate.connectors.base import Card, Connector, ConnectorResult, Outcome, PaymentRequest
from paygate.connectors.routing import PaymentFacts
from paygate.connectors.routing_models import SIMULATOR
from paygate.connectors.simulator import SimulatorConnector
from paygate.core import clock
from paygate.core.observability import logger
from paygate.core.settings import Processing
from paygate.vault.client import VaultUnavailable

CALLS_PER_ATTEMPT = 2  # the first choice and one failover: never twice for one attempt
HELD = "another run of this attempt is calling the provider: this one stops (a duplicate delivery)"

VAULT_UNAVAILABLE = "VAULT_UNAVAILABLE"  # the card could not be had: nothing happened at the provider


@dataclass(frozen=True)
class Call:
    """One connector call of a payment, as the payment keeps it (its ``attempts``)."""

    attempt: int  # the payment's attempt (1: the first; retries count up)
    connector: str  # simulator, stripe, razorpay
    merchant_connector_id: str | None  # None: the built-in simulator
    outcome: str
    provider_code: str | None
    provider_message: str | None
    provider_reference: str | None
    latency_ms: int
    at: str
    idempotency_key: str
    failover: bool = False  # this call is the attempt's failover after the previous call

    def item(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Pinned:
    """A previous call that came back ``unknown``: the next attempt repeats it, same key, same place."""

    merchant_connector_id: str
    idempotency_key: str


@dataclass
class Dispatched:
    """What an attempt came to. ``result`` None: no configuration could be called (every candidate's
    circuit open or disabled): nothing happened, the attempt may be retried later."""

    result: ConnectorResult | None
    calls: list[Call] = field(default_factory=list)
    trace: dict[str, Any] = field(default_factory=dict)
    merchant_connector_id: str | None = None  # the configuration of the deciding call
    held_elsewhere: bool = False  # another run of this very attempt holds it (a duplicate delivery)

    @property
    def retry_later(self) -> bool:
        """Nothing decided the payment: a retry may (no call made, nothing happened, or no answer)."""
        return self.result is None or self.result.outcome in (
            Outcome.PROCESSOR_ERROR_RETRYABLE,
            Outcome.UNKNOWN,
        )


CardSource = Callable[[], Card | None]
Claim = Callable[[], bool]
"""Claims the attempt before a provider is called: False when another run of the same attempt (a
duplicate SQS delivery, running at the same time) holds it. Providers dedupe a repeated request by its
idempotency key only when the first has finished (Razorpay not even then), so two concurrent runs must
never both call."""


def authorize(
    merchant_id: str,
    mode: str,
    request: PaymentRequest,
    facts: PaymentFacts,
    settings: Processing,
    card: CardSource,
    claim: Claim,
    pinned: Pinned | None = None,
) -> Dispatched:
    if pinned is not None:
        if not claim():
            return Dispatched(None, trace={"steps": [HELD]}, held_elsewhere=True)
        return _pinned(merchant_id, mode, request, card, pinned)
    config = routing_store.load(merchant_id, mode)
    available = routing_store.availability(merchant_id, mode, config) if config is not None else {}
    decision = routing.route(config, facts, available, attempt_key=request.payment_id)
    outcome = Dispatched(result=None, trace=decision.trace_json())
    failover = claimed = False
    for mca in decision.candidates:
        if len(outcome.calls) == CALLS_PER_ATTEMPT:
            break
        if mca != SIMULATOR and not claimed:
            if not claim():
                _note(outcome, HELD)
                outcome.held_elsewhere = True
                return outcome
            claimed = True
        if mca == SIMULATOR:
            result = SimulatorConnector(settings).authorize(request)
            outcome.calls.append(call_record(request, result, None, failover))
        else:
            admitted = breaker.allow(mca)
            if not admitted.allowed:
                _note(outcome, f"skipped {mca} at call time: {admitted.reason}")
                continue
            result = _call_configuration(merchant_id, mode, mca, request, card, available[mca].item)
            if result.provider_code != VAULT_UNAVAILABLE:  # the vault's outage is not the provider's
                breaker.record(mca, result.outcome)
            outcome.calls.append(call_record(request, result, mca, failover))
            outcome.merchant_connector_id = mca
        outcome.result = result
        if not result.outcome.failover_allowed:
            break
        failover = True
        _note(outcome, f"{_label(mca)} answered {result.outcome.value}: nothing happened, failing over")
    return outcome


def _pinned(
    merchant_id: str, mode: str, request: PaymentRequest, card: CardSource, pin: Pinned
) -> Dispatched:
    repeat = replace(request, idempotency_key=pin.idempotency_key)
    result = _call_configuration(merchant_id, mode, pin.merchant_connector_id, repeat, card)
    if result.provider_code != VAULT_UNAVAILABLE:
        breaker.record(pin.merchant_connector_id, result.outcome)
    why = (
        f"the previous call to {pin.merchant_connector_id} got no answer: repeated with its idempotency "
        "key, so the provider answers that request instead of charging again"
    )
    trace = {"source": "pinned", "steps": [why], "connectors": []}
    call = call_record(repeat, result, pin.merchant_connector_id, False)
    return Dispatched(result, [call], trace, pin.merchant_connector_id)


def _call_configuration(
    merchant_id: str,
    mode: str,
    mca: str,
    request: PaymentRequest,
    card: CardSource,
    item: Mapping[str, Any] | None = None,
) -> ConnectorResult:
    """``item``: the configuration as routing read it (one read per attempt); None: read it here."""
    connector = _built(item) if item is not None else configured(merchant_id, mode, mca)
    if connector is None:  # deleted between routing and the call
        return ConnectorResult(Outcome.PROCESSOR_ERROR_RETRYABLE, "unknown", provider_message="deleted")
    if request.method == "card" and connector.name != SIMULATOR and request.card is None:
        try:
            found = card()
        except VaultUnavailable:  # nothing was sent: the attempt is retried later (breaker untouched)
            return ConnectorResult(
                Outcome.PROCESSOR_ERROR_RETRYABLE,
                connector.name,
                provider_code=VAULT_UNAVAILABLE,
                provider_message="the vault did not answer; nothing was sent to the provider",
            )
        if found is None:
            return ConnectorResult(
                Outcome.PROCESSOR_ERROR,
                connector.name,
                provider_code="CARD_UNAVAILABLE",
                provider_message="the card is not in the vault any more",
            )
        request = replace(request, card=found)
    try:
        return connector.authorize(request)
    except Exception:  # a connector raises only for a programming error; the payment must not hang
        logger.exception("connector raised", extra={"merchant_connector_id": mca})
        return ConnectorResult(Outcome.UNKNOWN, connector.name, provider_message="connector error")


def call_record(request: PaymentRequest, result: ConnectorResult, mca: str | None, failover: bool) -> Call:
    return Call(
        attempt=request.attempt + 1,
        connector=result.connector,
        merchant_connector_id=mca,
        outcome=result.outcome.value,
        provider_code=result.provider_code,
        provider_message=result.provider_message,
        provider_reference=result.provider_reference,
        latency_ms=result.latency_ms,
        at=clock.iso_now(),
        idempotency_key=request.idempotency_key,
        failover=failover,
    )


def _note(outcome: Dispatched, step: str) -> None:
    outcome.trace.setdefault("steps", []).append(step)


def _label(mca: str) -> str:
    return "the simulator" if mca == SIMULATOR else mca


def configured(merchant_id: str, mode: str, mca: str) -> Connector | None:
    """The connector of one of the merchant's configurations in the mode (credentials decrypted), for
    the calls that follow an authorization (capture, void, refund); None when it no longer exists."""
    item = store.objects.owned(mca, store.KIND, merchant_id, mode)
    return _built(item) if item is not None else None


def _built(item: Mapping[str, Any]) -> Connector:
    return registry.build(dict(item), service.credentials_of(dict(item)))
