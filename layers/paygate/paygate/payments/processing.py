"""Deciding and recording a payment's outcome: the work of ``AttemptPayment`` (the first attempt, off
the payment-attempts queue) and of the payment_processing workflow's Task (its retries).

The outcome comes from a connector chosen by the merchant's routing (``paygate.connectors.dispatch``:
the rules, the circuit breakers, one failover when nothing happened; no routing configuration: the
built-in simulator). Every connector call is kept on the payment (``attempts``) with the routing
trace that says why it went there (``routing``). Recording the outcome is one transaction over the
payment and its parent (order -> paid; intent -> succeeded / requires_capture /
requires_payment_method), guarded by the payment still being ``pending``, so a retried or duplicated
attempt never records twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from paygate.connectors import dispatch, simulator
from paygate.connectors.base import Card, ConnectorResult, Outcome, PaymentRequest
from paygate.connectors.routing import PaymentFacts
from paygate.core import clock, dynamo
from paygate.core.errors import MerchantUnavailable, ProcessorUnavailable
from paygate.core.settings import Processing
from paygate.payments import checkout_limits, next_action, provider_refs, risk_gate, setup_intents, store
from paygate.payments.service import ensure_can_charge
from paygate.vault import payment_methods
from paygate.vault import service as vault

DECLINES = simulator.DECLINES
PROCESSOR_REFUSED = "PROCESSOR_ERROR"
IN_FLIGHT = "in_flight"
AUTHENTICATION_REQUIRED = (
    "AUTHENTICATION_REQUIRED",
    "authentication_required: the card asks the customer to authenticate, which an off-session payment "
    "cannot do; bring the customer back on session",
)


def processing_delay_seconds(settings: Processing) -> int:
    """Whole seconds: the first attempt's SQS ``DelaySeconds`` (whole seconds, at most 900)."""
    if settings.test_mode:
        return math.ceil(max(settings.test_processing_delay, 0) / 1000)
    low, high = sorted((settings.processing_delay_min, settings.processing_delay_max))
    return round(random.randint(low, high) / 1000)  # noqa: S311 - a simulated delay, not a secret


def authorization_request(payment: dict[str, Any], attempt: int) -> PaymentRequest:
    """What a connector is asked for this attempt. The card itself is not here: a connector that
    needs it gets it from the vault (``dispatch``), only when it is the one called."""
    card = payment.get("card") or {}
    return PaymentRequest(
        payment_id=payment["id"],
        amount=int(payment["amount"]),
        currency=str(payment.get("currency", "INR")),
        method=payment["method"],
        idempotency_key=f"{payment['id']}-{attempt}",
        # an order's payment takes the money (seed contract: success is paid and refundable; its
        # capture only marks it); an intent's payment with manual capture is an authorization
        capture=not (payment.get("payment_intent_id") and payment.get("capture_method") == "manual"),
        attempt=attempt,
        card_last4=card.get("last4"),
        wallet=payment.get("wallet"),  # a wallet payment's wallet (docs/connectors.md#wallets)
        return_url=next_action.provider_return_url(payment),  # 3-D Secure at a provider: back to us
        off_session=bool(payment.get("off_session")),
        # a risk rule asked for 3-D Secure (docs/risk.md): the connector challenges whatever the card
        request_three_d_secure=(payment.get("risk") or {}).get("action") == "request_3ds",
    )


def facts(payment: dict[str, Any]) -> PaymentFacts:
    """What routing rules look at."""
    network = (payment.get("card") or {}).get("network") if payment["method"] == "card" else None
    return PaymentFacts(payment["method"], str(payment["currency"]), int(payment["amount"]), network)


def _pinned(payment: dict[str, Any]) -> dispatch.Pinned | None:
    """The previous call, when it came back ``unknown``: the retry repeats it (see ``dispatch``)."""
    calls = payment.get("attempts") or []
    last = calls[-1] if calls else None
    if last and last.get("outcome") == Outcome.UNKNOWN.value and last.get("merchant_connector_id"):
        return dispatch.Pinned(last["merchant_connector_id"], last["idempotency_key"])
    return None


def _card_source(payment: dict[str, Any]) -> dispatch.CardSource:
    """The card from the vault, read at most once per attempt (a failover reuses it), and only when
    a connector that needs it is called."""
    revealed: list[Card | None] = []

    def reveal() -> Card | None:
        if not revealed:
            token = payment.get("card_token")
            revealed.append(vault.reveal(token, payment["merchant_id"], payment["mode"]) if token else None)
        return revealed[0]

    return reveal


LEASE_MS = 90_000  # longer than AttemptPayment's 60 s timeout: a crashed run's claim lapses after it


def _claimer(payment_id: str) -> dispatch.Claim:
    """The attempt's lease on the payment (``attempt_lease_until``, epoch ms): taken with one
    conditional write before a provider is called, given back (0) by the write that records the
    attempt. A concurrent duplicate run finds it taken and stops."""

    def claim() -> bool:
        now_ms = int(clock.now().timestamp() * 1000)
        lease = store.change(
            payment_id,
            {"attempt_lease_until": now_ms + LEASE_MS},
            "#status = :pending AND "
            "(attribute_not_exists(#attempt_lease_until) OR #attempt_lease_until < :now)",
            pending="pending",
            now=now_ms,
        )
        return dynamo.update(lease) is not None

    return claim


def decide(payment: dict[str, Any], attempt: int, settings: Processing) -> dispatch.Dispatched:
    """Route and call the attempt's connector(s); what it came to, with its calls and trace. A setup
    intent's card verification is the gateway's own (docs/payment-methods.md): the simulator."""
    if payment.get("setup_intent_id"):
        request = authorization_request(payment, attempt)
        result = simulator.SimulatorConnector(settings).authorize(request)
        steps = {"steps": ["card verification of a setup intent: the gateway's own (simulator)"]}
        return dispatch.Dispatched(result, [dispatch.call_record(request, result, None, False)], steps)
    return dispatch.authorize(
        payment["merchant_id"],
        payment["mode"],
        authorization_request(payment, attempt),
        facts(payment),
        settings,
        _card_source(payment),
        _claimer(payment["id"]),
        _pinned(payment) if attempt else None,
    )


SUSPENDED = ("MERCHANT_UNAVAILABLE", "the merchant cannot accept payments at the moment; no money was taken")


def process(payment: dict[str, Any], attempt: int, settings: Processing) -> str:
    """The Task's work: a suspended merchant's payment fails without reaching a processor; otherwise
    routing decides where it goes and the answer is recorded. ``ProcessorUnavailable`` when nothing
    decided it (every candidate down, or no answer): the workflow retries it later."""
    if "merchant_id" not in payment or attempt:  # a retry reads the calls made since its input
        payment = {**payment, **(store.get(payment["id"]) or {})}
    try:
        ensure_can_charge(payment["merchant_id"])
    except MerchantUnavailable:
        return record_outcome(payment, False, SUSPENDED)
    if not payment.get("setup_intent_id"):  # risk, before any connector (docs/risk.md)
        payment = {**payment, "risk": payment.get("risk") or risk_gate.assess(payment)}
        if payment["risk"]["action"] == "block":
            return record_outcome(payment, False, risk_gate.blocked_error(payment["risk"]), declined=False)
    done = decide(payment, attempt, settings)
    if done.held_elsewhere:
        return IN_FLIGHT  # the run holding the lease records the outcome
    result = done.result
    if done.retry_later or result is None:
        _keep(payment, done)
        raise ProcessorUnavailable(result.provider_message if result else "no connector available")
    if result.outcome is Outcome.PENDING:  # the provider answers later (its webhook, or a sync)
        _keep(payment, done)
        return "pending"
    _forget_cvc(payment)
    if result.outcome is Outcome.REQUIRES_ACTION and payment.get("off_session"):
        return record_outcome(payment, False, AUTHENTICATION_REQUIRED, done=done, declined=True)
    if (secure := next_action.on_result(payment, done)) is not None:  # 3-D Secure: payments/next_action.py
        return secure
    if result.outcome is Outcome.SUCCEEDED:
        _risk_outcome(payment, declined=False)
        return record_outcome(payment, True, done=done)
    if result.outcome.is_decline:
        _risk_outcome(payment, declined=True)
        return record_outcome(payment, False, decline_error(payment, result), done=done, declined=True)
    # processor_error (a request the provider refused) and requires_action (3-D Secure: next step)
    refused = f"the processor refused the payment ({result.outcome.value}): {result.provider_message or ''}"
    return record_outcome(payment, False, (PROCESSOR_REFUSED, refused.rstrip(": ")), done=done)


def _risk_outcome(payment: dict[str, Any], declined: bool) -> None:
    """The processor's answer counted for risk (once per payment; a verification is not assessed)."""
    if payment.get("risk"):
        risk_gate.outcome(payment, declined)


def decline_error(payment: dict[str, Any], result: ConnectorResult) -> tuple[str, str]:
    """A processor's decline as the payment records it: the method's code (CARD_DECLINED,
    UPI_DECLINED, WALLET_DECLINED) and the provider's message (its own code stays in the attempt)."""
    code, default = DECLINES.get(payment["method"], DECLINES["card"])
    return code, result.provider_message or default


def _forget_cvc(payment: dict[str, Any]) -> None:
    """A card's CVC is kept only until its first authorization (PCI DSS): the processor answered."""
    if payment.get("card_token"):
        vault.forget_cvc(payment["card_token"])


def _kept(
    payment_id: str, done: dispatch.Dispatched | None
) -> tuple[dict[str, Any], dict[str, list[Any]], list[dict[str, Any]]]:
    """What an attempt adds to the payment: its calls and trace (appended), the configuration that
    decided it and the provider's reference (set), and the pointer a provider webhook finds it by."""
    if done is None or not done.calls:
        return {}, {}, []
    attempt = done.calls[0].attempt
    append = {
        "attempts": [call.item() for call in done.calls],
        "routing": [{"attempt": attempt, **done.trace}],
    }
    last = done.calls[-1]
    sets: dict[str, Any] = {"attempt_lease_until": 0}  # the attempt's lease given back
    pointers: list[dict[str, Any]] = []
    if done.merchant_connector_id and last.merchant_connector_id and last.provider_reference:
        sets["connector"] = {
            "merchant_connector_id": last.merchant_connector_id,
            "name": last.connector,
            "provider_reference": last.provider_reference,
        }
        pointers.append(
            provider_refs.pointer_put(
                last.merchant_connector_id, last.provider_reference, "payment", payment_id
            )
        )
    return sets, append, pointers


def _keep(payment: dict[str, Any], done: dispatch.Dispatched) -> None:
    """Record an attempt that decided nothing (retry later, or pending at the provider)."""
    sets, append, pointers = _kept(payment["id"], done)
    if not append:
        return
    now = clock.iso_now()
    change = store.change(
        payment["id"],
        {**sets, **risk_gate.kept(payment), "updated_at": now},
        "#status = :pending",
        append=append,
        pending="pending",
    )
    dynamo.transact([change, *pointers])


def record_outcome(
    payment: dict[str, Any],
    success: bool,
    error: tuple[str, str] | None = None,
    with_parent: bool = True,
    *,
    done: dispatch.Dispatched | None = None,
    declined: bool | None = None,
    also: Sequence[dict[str, Any]] = (),
    expected: str = "pending",
    extra: dict[str, Any] | None = None,
) -> str:
    """Write the outcome; returns the payment's final status (or ``"unchanged"`` if already decided).

    ``done``: the attempt's calls and trace, appended in the same write. A decline by the processor
    (``declined``; by default an outcome without a gateway ``error``) of a public checkout payment
    also counts against its client (``checkout_limits``), in the same transaction, so a retried Task
    never counts it twice. ``also``: more writes of the same transaction (a provider event's
    once-only marker, ``paygate.payments.provider_events``); if one of them fails its condition
    nothing is written and the answer is ``"duplicate"``. ``expected``: the status the payment must
    still be in (``requires_action`` after a 3-D Secure challenge: its intent is then in it too);
    ``extra``: more attributes set on the payment in the same write (its ``authentication``).
    """
    now = clock.iso_now()
    code, description = error or DECLINES[payment["method"]]
    declined = (not success and error is None) if declined is None else declined
    intent_id = payment.get("payment_intent_id")
    auto_capture = bool(intent_id) and payment.get("capture_method") == "automatic"
    if success:
        sets: dict[str, Any] = {"status": "captured" if auto_capture else "success", "updated_at": now}
        if auto_capture:
            sets.update(captured=True, amount_captured=payment["amount"], captured_at=now)
    else:
        sets = {"status": "failed", "error_code": code, "error_description": description, "updated_at": now}
    if expected != "pending":  # leaving requires_action: the payer has nothing more to do
        sets["next_action"] = None
    kept_sets, append, pointers = _kept(payment["id"], done)
    change = store.change(
        payment["id"],
        {**sets, **kept_sets, **risk_gate.kept(payment), **(extra or {})},
        "#status = :expected",
        append=append or None,
        expected=expected,
    )
    writes = [change, *pointers]
    parent = (
        _parent_change(payment, success, auto_capture, now, (code, description), expected)
        if with_parent
        else None
    )
    if parent:
        writes.append(parent)
    if success and payment.get("save_method") and (save := payment_methods.save_op(payment["save_method"])):
        writes.append(save)  # the card the payment asked to save (save_payment_method)
    # A card verification moves its setup intent. (If its method was detached meanwhile, the attach
    # fails, the verification is recorded failed without its parent below, and the setup intent stays
    # processing: an edge left open, docs/payment-methods.md.)
    if with_parent and payment.get("setup_intent_id"):
        writes.extend(setup_intents.outcome_writes(payment, success, (code, description), expected, now))
    if not success and declined and payment.get("throttle_key"):
        writes.append(checkout_limits.decline_counted(payment["throttle_key"], clock.now().timestamp()))
    writes.extend(also)
    reasons = dynamo.transact(writes)
    if not reasons:
        return sets["status"]
    if "ConditionalCheckFailed" in reasons[len(writes) - len(also) :]:
        return "duplicate"
    if reasons[0] == "ConditionalCheckFailed":
        return "unchanged"
    # The parent moved on (order paid by another payment, intent canceled): this payment fails.
    refused = ("PARENT_NOT_PAYABLE", "the order or intent no longer accepts this payment")
    return record_outcome(
        payment, False, refused, with_parent=False, done=done, also=also, expected=expected, extra=extra
    )


def _parent_change(
    payment: dict[str, Any],
    success: bool,
    auto_capture: bool,
    now: str,
    error: tuple[str, str],
    expected: str = "pending",
) -> dict[str, Any] | None:
    intent_id = payment.get("payment_intent_id")
    if intent_id:
        if success:
            sets: dict[str, Any] = (
                {"status": "succeeded", "amount_received": payment["amount"]}
                if auto_capture
                else {"status": "requires_capture", "amount_capturable": payment["amount"]}
            )
        else:
            sets = {
                "status": "requires_payment_method",
                "last_payment_error": {"code": error[0], "message": error[1], "payment_id": payment["id"]},
            }
        if expected != "pending":
            sets["next_action"] = None
        return store.change(
            intent_id,
            {**sets, "updated_at": now},
            "#status = :intent_status AND #latest_payment_id = :pid",
            # the intent is processing while its payment is pending, requires_action while it is
            intent_status="processing" if expected == "pending" else expected,
            pid=payment["id"],
        )
    if success and payment.get("order_id"):
        return store.change(
            payment["order_id"],
            {"status": "paid", "amount_paid": payment["amount"], "amount_due": 0, "updated_at": now},
            "#status <> :paid",
            paid="paid",
        )
    return None
