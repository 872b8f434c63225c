"""Payment methods saved to customers (issue 18 item 3).

Placeholder: the lead replaces this module with the real payment methods of the vault. Until then no
payment method is attached to any customer, so a ``default_payment_method`` is always refused.
"""

from __future__ import annotations


def attached_to(pm_id: str, customer_id: str, merchant_id: str, mode: str) -> bool:
    """Whether payment method ``pm_id`` is attached to ``customer_id`` of this merchant and mode."""
    return False
