"""A payment's money: its states, the transitions between them and the guards on each.

Three amounts, all integer minor units of the payment's currency:

- ``amount``: what was authorized (the order's or intent's amount);
- ``amount_captured``: what was captured (0 until a capture; a partial capture releases the rest);
- ``amount_refunded``: what was refunded, never more than what was *taken*.

*Taken* is the money actually moved from the payer: the captured amount once captured; for an
order's payment in ``success`` the whole amount (seed contract: a successful order payment is paid and
refundable, ``capture`` only marks it); for an intent's payment in ``success`` (``requires_capture``:
an authorization, not money) nothing, so it can be captured or canceled but never refunded (Stripe
answers ``charge_not_captured``).

    pending --outcome--> success | failed             (intent, automatic capture: pending -> captured)
    success --capture--> captured                     (order: the whole amount; intent: <= amount)
    success --cancel (intent)--> canceled             (releases the authorization; only unrefunded)
    success --refund (order), partial--> success
    success | captured --refund, reaching taken--> refunded
    captured --refund, partial--> captured

Invariants after every write (``violations``): ``0 <= amount_refunded <= taken <= amount``,
``amount_captured <= amount``, and the status agrees with the amounts.

Every transition is planned here from one read of the payment and written with the condition that the
payment's ``version`` is still the one read (see ``paygate.payments.transitions``): a write is
conditioned on everything it read, so a concurrent capture can never leave a refund's ceiling stale,
and a status that depends on the amounts is decided in the same write as the amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paygate.core.errors import BadRequest, InvalidState, NotCaptured
from paygate.core.money import format_minor, minimum_amount

REFUNDABLE = ("success", "captured")


def is_intent_payment(payment: dict[str, Any]) -> bool:
    return bool(payment.get("payment_intent_id"))


def taken(payment: dict[str, Any]) -> int:
    """The money moved from the payer, the ceiling of refunds."""
    if payment.get("captured"):
        return int(payment.get("amount_captured", 0))
    if payment["status"] in ("success", "refunded") and not is_intent_payment(payment):
        return int(payment["amount"])
    return 0


def refundable(payment: dict[str, Any]) -> int:
    """What is left to refund now (0 in states that take no refund)."""
    if payment["status"] not in REFUNDABLE or not taken(payment):
        return 0
    return taken(payment) - int(payment.get("amount_refunded", 0))


@dataclass(frozen=True)
class Change:
    """What a transition writes to the payment: ``sets`` and ``add`` (DynamoDB SET / ADD)."""

    sets: dict[str, Any]
    add: dict[str, int] = field(default_factory=dict)
    amount: int = 0


def plan_refund(payment: dict[str, Any], requested: int | None, now: str) -> Change:
    """A refund of ``requested`` (None: all that is left). Raises the API's error when not allowed."""
    pid = payment["id"]
    if payment["status"] == "success" and is_intent_payment(payment):
        raise NotCaptured(
            f"payment {pid} is authorized but not captured; capture or cancel its payment intent "
            f"{payment['payment_intent_id']} instead of refunding it",
            "id",
        )
    if payment["status"] not in REFUNDABLE:
        raise InvalidState(f"payment {pid} is {payment['status']}; it cannot be refunded", "id")
    left = refundable(payment)
    amount = left if requested is None else requested
    if amount > left or amount <= 0:
        raise BadRequest(f"amount exceeds what is left to refund ({left})", "amount")
    sets: dict[str, Any] = {"updated_at": now}
    if amount == left:
        sets["status"] = "refunded"
    return Change(sets=sets, add={"amount_refunded": amount}, amount=amount)


def plan_refund_reversal(payment: dict[str, Any], amount: int, now: str) -> Change:
    """A refund the processor refused: its amount is no longer refunded (the payment leaves
    ``refunded`` if it was there). Only ever of an amount a refund took, so it cannot go below 0."""
    if amount <= 0 or amount > int(payment.get("amount_refunded", 0)):
        raise InvalidState(f"payment {payment['id']} has no refunded {amount} to give back", "amount")
    sets: dict[str, Any] = {"updated_at": now}
    if payment["status"] == "refunded":
        sets["status"] = "captured" if payment.get("captured") else "success"
    return Change(sets=sets, add={"amount_refunded": -amount}, amount=amount)


def plan_capture(payment: dict[str, Any], requested: int | None, now: str) -> Change:
    """Capture ``requested`` (None: the whole authorization) of a payment in ``success``.

    An order's payment is captured whole (seed contract); an intent's payment up to its amount, the
    rest released. Either way nothing refunded may exceed what is captured afterwards.
    """
    pid = payment["id"]
    if payment["status"] != "success" or payment.get("captured"):
        raise InvalidState(
            f"payment {pid} is {payment['status']}; only a successful, uncaptured payment can be captured",
            "id",
        )
    amount = payment["amount"] if requested is None else requested
    if not is_intent_payment(payment) and amount != payment["amount"]:
        raise BadRequest(f"amount must equal the payment amount {payment['amount']}", "amount")
    if amount > payment["amount"]:
        raise BadRequest(f"amount_to_capture must be at most {payment['amount']}", "amount_to_capture")
    if amount < minimum_amount(payment["currency"]):  # what is captured is the charge
        least = format_minor(minimum_amount(payment["currency"]), payment["currency"])
        raise BadRequest(f"amount_to_capture must be at least {least}", "amount_to_capture")
    if int(payment.get("amount_refunded", 0)) > amount:  # unreachable while refunds respect `taken`
        raise InvalidState(f"payment {pid} has refunds above the amount to capture", "amount")
    sets = {
        "status": "captured",
        "captured": True,
        "amount_captured": amount,
        "captured_at": now,
        "updated_at": now,
    }
    return Change(sets=sets, amount=amount)


def plan_cancel(payment: dict[str, Any], now: str) -> Change:
    """Release an intent payment's authorization (the intent is canceled with it)."""
    if payment["status"] != "success" or payment.get("captured") or payment.get("amount_refunded"):
        raise InvalidState(f"payment {payment['id']} is {payment['status']}; it cannot be canceled", "status")
    return Change(sets={"status": "canceled", "updated_at": now})


def violations(payment: dict[str, Any]) -> list[str]:
    """Every broken invariant of a stored payment (empty when its money is right)."""
    amount = int(payment["amount"])
    captured_amount = int(payment.get("amount_captured", 0))
    refunded = int(payment.get("amount_refunded", 0))
    took = taken(payment)
    status = payment["status"]
    found = []
    if not 0 <= refunded <= took <= amount:
        found.append(f"refunded {refunded} <= taken {took} <= authorized {amount} does not hold")
    if not 0 <= captured_amount <= amount:
        found.append(f"captured {captured_amount} is outside 0..{amount}")
    if bool(payment.get("captured")) != (captured_amount > 0):
        found.append(
            f"captured flag {payment.get('captured')} disagrees with amount_captured {captured_amount}"
        )
    expected = {
        "pending": captured_amount == 0 and refunded == 0,
        "failed": captured_amount == 0 and refunded == 0,
        "canceled": captured_amount == 0 and refunded == 0 and is_intent_payment(payment),
        "success": captured_amount == 0 and refunded < max(took, 1),
        "captured": captured_amount > 0 and refunded < captured_amount,
        "refunded": took > 0 and refunded == took,
    }
    if not expected.get(status, False):
        found.append(
            f"status {status} disagrees with captured {captured_amount}, refunded {refunded}, taken {took}"
        )
    return found
