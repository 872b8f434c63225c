"""The risk check of a payment's first attempt, before any connector is called (docs/risk.md): the
payment's facts (kept on it at creation: the card's BIN, network, issuing country and fingerprint, the
payer's IP at the checkout, the VPA, the customer) assessed by the Risk context's rules, lists and score.
The assessment is kept on the payment (``risk``) by the attempt's own write; a block fails it with
RISK_BLOCKED."""

from __future__ import annotations

from typing import Any

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
    """The assessment (idempotent per payment: a redelivered attempt or a retry gets the first). It is
    kept on the payment by the write that records the attempt (``kept``): no write of its own, which
    would rewrite the payment in its merchant's index once more per payment (benchmarks/RESULTS.md)."""
    return risk.assess(facts(payment)).model_dump(mode="json")


def kept(payment: dict[str, Any]) -> dict[str, Any]:
    """The attribute an attempt's write sets on the payment: its risk assessment, when it has one."""
    return {"risk": payment["risk"]} if payment.get("risk") else {}


def outcome(payment: dict[str, Any], declined: bool) -> None:
    """The processor's answer, for the risk counters (declines in a row, usual amounts)."""
    risk.record_outcome(facts(payment), declined)


def blocked_error(assessment: dict[str, Any]) -> tuple[str, str]:
    rule = assessment.get("rule") or {}
    entry = assessment.get("list_entry") or {}
    why = f"rule {rule.get('name')}" if rule else f"block list entry {entry.get('type')}" if entry else "risk"
    return BLOCKED, f"the payment was blocked by {why}; no processor was called"
