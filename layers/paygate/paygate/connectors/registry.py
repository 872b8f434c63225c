"""Build the connector a stored merchant connector configuration names.

One place maps a configuration (its ``connector`` name, its ``base_url`` in a test deployment) and its
decrypted credentials to a ``base.Connector``: the provider webhook receiver and the payment attempt
path (``dispatch``) use it.
"""

from __future__ import annotations

from typing import Any

from paygate.connectors.base import Connector
from paygate.connectors.razorpay_connector import RazorpayConnector
from paygate.connectors.simulator import SimulatorConnector
from paygate.connectors.stripe_connector import StripeConnector
from paygate.core.settings import Processing

CALL_TIMEOUT = 8.0  # seconds per provider call: two calls (a failover) fit AttemptPayment's 60 s per record


def build(item: dict[str, Any], credentials: dict[str, str], timeout: float | None = None) -> Connector:
    """The connector of configuration ``item`` with its plaintext ``credentials``; ``timeout`` is each
    provider call's deadline in seconds. ValueError for a connector name this gateway does not know."""
    timeout = timeout or CALL_TIMEOUT
    name = item.get("connector")
    base_url = item.get("base_url") or None
    if name == "stripe":
        # a local Stripe (localstripe, only ever set in a test deployment) refuses return_url
        return StripeConnector(
            credentials["api_key"], api_base=base_url, timeout=timeout, send_return_url=base_url is None
        )
    if name == "razorpay":
        return RazorpayConnector(
            credentials["key_id"], credentials["key_secret"], base_url=base_url, timeout=timeout
        )
    if name == "simulator":
        return SimulatorConnector(Processing.load())
    raise ValueError(f"no connector named {name!r}")
