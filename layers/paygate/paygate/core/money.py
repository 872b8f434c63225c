"""ISO 4217: which currency codes exist and how many minor units each has.

Amounts everywhere are integers in minor units; this table says what a minor unit is.
"""

from __future__ import annotations

# Active ISO 4217 codes (2024 list). Exponent 2 unless listed in _EXPONENTS.
_ROWS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD",
    "CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD",
    "GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT",
    "LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR",
    "NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP",
    "STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF",
    "XPF YER ZAR ZMW ZWL",
)
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENTS = {**dict.fromkeys(_ZERO.split(" "), 0), **dict.fromkeys(_THREE.split(" "), 3)}
CURRENCIES = frozenset(" ".join(_ROWS).split(" "))


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def exponent(code: str) -> int:
    """Digits after the decimal point: INR 2, JPY 0, KWD 3."""
    return _EXPONENTS.get(code, 2)


# Smallest amount a payment may be, in minor units. Where Stripe publishes a minimum charge for the
# currency (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts) it is used; INR is
# Razorpay's ₹1.00 (https://razorpay.com/docs/api/orders/create/: "amount ... minimum value is 100"),
# which is also the seed contract's 100. Any other currency: half of one major unit, the local
# counterpart of Stripe's USD 0.50 rule, and never less than one minor unit.
MINIMUM_CHARGE = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50, "CZK": 1500,
    "DKK": 250, "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 100, "JPY": 50, "MXN": 1000,
    "MYR": 200, "NOK": 300, "NZD": 50, "PLN": 200, "RON": 200, "SEK": 300, "SGD": 50, "THB": 1000,
}  # fmt: skip


def minimum_amount(code: str) -> int:
    """The smallest payment in ``code``'s minor units (INR 100, USD 50, JPY 50, GBP 30, KWD 500)."""
    return MINIMUM_CHARGE.get(code, max(1, 10 ** exponent(code) // 2))


def format_minor(amount: int, code: str) -> str:
    """``5000, "INR"`` -> ``"50.00 INR"``: exact, from integers (no float ever touches money)."""
    digits = exponent(code)
    if digits == 0:
        return f"{amount} {code}"
    whole, part = divmod(amount, 10**digits)
    return f"{whole}.{part:0{digits}d} {code}"
