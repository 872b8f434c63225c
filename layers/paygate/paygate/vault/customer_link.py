"""What payment methods ask of the customers context (its service, through the layer: DESIGN.md 2).
Imported at call time: the customers service asks ``payment_methods.attached_to`` in turn."""

from __future__ import annotations

from typing import Any


def require(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any]:
    """The customer, if it can be charged (400 naming ``customer`` otherwise)."""
    from paygate.customers import service as customers

    return customers.check_chargeable(customer_id, merchant_id, mode)


def visible(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any]:
    """The customer, if the caller may list under it (404 otherwise)."""
    from paygate.customers import service as customers

    return customers.check_listable(customer_id, merchant_id, mode)


def forget_default(customer_id: str, merchant_id: str, mode: str, pm_id: str) -> None:
    from paygate.customers import service as customers

    customers.forget_default(customer_id, merchant_id, mode, pm_id)


def set_default(customer_id: str, merchant_id: str, mode: str, pm_id: str) -> None:
    from paygate.customers import service as customers

    customers.set_default(customer_id, merchant_id, mode, pm_id)
