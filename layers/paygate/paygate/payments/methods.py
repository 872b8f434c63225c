"""Payment method checks: Luhn, card network, expiry, UPI VPA. Pure functions, no I/O."""

from __future__ import annotations

import re

from paygate.core import clock

VPA = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,255}@[A-Za-z][A-Za-z0-9]{1,63}$")
_NETWORKS: list[tuple[str, re.Pattern[str]]] = [
    ("amex", re.compile(r"^3[47]\d{13}$")),
    ("rupay", re.compile(r"^(60[6-8]\d{13}|65[2-3]\d{13}|8[12]\d{14}|508[5-9]\d{12})$")),
    ("visa", re.compile(r"^4(\d{12}|\d{15}|\d{18})$")),
    ("mastercard", re.compile(r"^(5[1-5]\d{14}|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12})$")),
]


def luhn_ok(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_network(number: str) -> str | None:
    for name, pattern in _NETWORKS:
        if pattern.match(number):
            return name
    return None


def expired(month: int, year: int) -> bool:
    today = clock.now()
    return (year, month) < (today.year, today.month)


def vpa_ok(vpa: str) -> bool:
    return bool(VPA.match(vpa))
