"""Pure rules: card checks, VPA, currencies, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from paygate.core import clock, ids, money
from paygate.payments import methods
from paygate.payments.models import IntentIn, OrderIn
from pydantic import ValidationError


@pytest.mark.parametrize(
    ("number", "network"),
    [
        ("4111111111111111", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6074820000000009", "rupay"),
        ("6011111111111117", None),  # Discover: not accepted
    ],
)
def test_card_network(number: str, network: str | None) -> None:
    assert methods.luhn_ok(number)
    assert methods.card_network(number) == network


def test_luhn_rejects_a_changed_digit() -> None:
    assert not methods.luhn_ok("4111111111111112")


def test_expiry_is_by_month() -> None:
    clock.set_clock(lambda: datetime(2026, 11, 23, tzinfo=UTC))
    try:
        assert not methods.expired(11, 2026)
        assert methods.expired(10, 2026)
        assert methods.expired(12, 2025)
    finally:
        clock.set_clock(None)


@pytest.mark.parametrize(("vpa", "ok"), [("a@ybl", True), ("first.last-1@okaxis", True), ("nobank", False),
                                         ("@ybl", False), ("a@", False), ("a b@ybl", False)])  # fmt: skip
def test_vpa(vpa: str, ok: bool) -> None:
    assert methods.vpa_ok(vpa) is ok


def test_currencies_and_exponents() -> None:
    assert money.is_currency("INR") and money.is_currency("JPY") and not money.is_currency("XYZ")
    assert (money.exponent("INR"), money.exponent("JPY"), money.exponent("KWD")) == (2, 0, 3)


def test_ids_are_prefixed_14_base62_and_time_ordered() -> None:
    made = []
    for second in range(3):
        clock.set_clock(lambda s=second: datetime(2026, 1, 1, 0, 0, s, tzinfo=UTC))
        made.append(ids.new_id("pay"))
    clock.set_clock(None)
    assert all(ids.has_prefix(i, "pay") for i in made)
    assert made == sorted(made)
    assert (
        ids.derived_id("evt", "a", "1") == ids.derived_id("evt", "a", "1") != ids.derived_id("evt", "a", "2")
    )


@pytest.mark.parametrize(
    ("currency", "least"),
    [
        ("INR", 100),
        ("USD", 50),
        ("EUR", 50),
        ("GBP", 30),
        ("JPY", 50),
        ("HUF", 17_500),
        ("KWD", 500),
        ("KRW", 1),
    ],
)
def test_the_minimum_amount_is_per_currency(currency: str, least: int) -> None:
    """Item 15: Stripe's minimum charge per currency (INR: Razorpay's 100 paise), not 100 for all."""
    assert money.minimum_amount(currency) == least
    assert OrderIn(amount=least, currency=currency).amount == least
    assert IntentIn(amount=least, currency=currency).amount == least
    if least > 1:
        with pytest.raises(ValidationError) as refused:
            OrderIn(amount=least - 1, currency=currency)
        assert refused.value.errors()[0]["loc"] == ("amount",)
        assert money.format_minor(least, currency) in str(refused.value)


def test_format_minor_is_exact() -> None:
    assert money.format_minor(5_000, "INR") == "50.00 INR"
    assert money.format_minor(7, "KWD") == "0.007 KWD"
    assert money.format_minor(50, "JPY") == "50 JPY"
