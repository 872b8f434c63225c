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
