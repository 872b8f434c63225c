"""What the gateway knows of a card's issuer without asking anyone: the issuing country and funding of
the test cards, and RuPay (a domestic Indian network). A live deployment would read a BIN table (a
licensed feed); unknown cards answer None rather than a guess (docs/payment-methods.md)."""

from __future__ import annotations

from typing import NamedTuple


class Issuer(NamedTuple):
    country: str | None
    funding: str | None


# BIN prefixes of the well-known test numbers (Stripe's test card table and Razorpay's)
_BINS: tuple[tuple[str, Issuer], ...] = (
    ("40000356", Issuer("IN", "credit")),  # Stripe India visa
    ("40000566", Issuer("US", "debit")),  # visa debit
    ("52008282", Issuer("US", "debit")),  # mastercard debit
    ("51051051", Issuer("US", "prepaid")),  # mastercard prepaid
    ("4111", Issuer("US", "credit")),
    ("4242", Issuer("US", "credit")),
    ("4000", Issuer("US", "credit")),
    ("5555", Issuer("US", "credit")),
    ("3782", Issuer("US", "credit")),  # amex
)


def issuer(number: str, network: str | None) -> Issuer:
    for prefix, found in _BINS:
        if number.startswith(prefix):
            return found
    if network == "rupay":
        return Issuer("IN", None)
    return Issuer(None, None)
