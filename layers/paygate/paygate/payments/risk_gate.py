"""The risk check of a payment's first attempt, before any connector is called (docs/risk.md): the
payment's facts (kept on it at creation: the card's BIN, network, issuing country and fingerprint, the
payer's IP at the checkout, the VPA, the customer) assessed by the Risk context's rules, lists and score.
The assessment is kept on the payment (``risk``); a block fails it with RISK_BLOCKED."""

from __future__ import annotations

from typing import Any

from paygate.core import dynamo
from paygate.payments import store
from paygate.risk import service as risk

BLOCKED = "RISK_BLOCKED"


def facts(payment: dict[str, Any]) -> risk.RiskFacts:
    card = payment.get("card") or {}
    return risk.RiskFacts(
        merchant_id=payment["merchant_id"],
        mode=payment["mode"],
        payment_id=payment["id"],
        amount=int(payment["amount"]),
        currency=str(payment["currency"]),
        method=payment["method"],
        card_bin=card.get("bin"),
        card_network=card.get("network"),
        card_country=card.get("country"),
        card_fingerprint=card.get("fingerprint"),
        ip=payment.get("client_ip"),
        vpa=payment.get("vpa"),
        customer=payment.get("customer"),
    )


def assess(payment: dict[str, Any]) -> dict[str, Any]:
    """The assessment (idempotent per payment: a redelivered attempt gets the first), kept on the
    payment while it is still pending."""
    found = risk.assess(facts(payment)).model_dump(mode="json")
    dynamo.update(store.change(payment["id"], {"risk": found}, "#status = :pending", pending="pending"))
    return found


def outcome(payment: dict[str, Any], declined: bool) -> None:
    """The processor's answer, for the risk counters (declines in a row, usual amounts)."""
    risk.record_outcome(facts(payment), declined)


def blocked_error(assessment: dict[str, Any]) -> tuple[str, str]:
    rule = assessment.get("rule") or {}
    entry = assessment.get("list_entry") or {}
    why = f"rule {rule.get('name')}" if rule else f"block list entry {entry.get('type')}" if entry else "risk"
    return BLOCKED, f"the payment was blocked by {why}; no processor was called"
