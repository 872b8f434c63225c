"""Build the connector a stored merchant connector configuration names.

One place maps a configuration (its ``connector`` name, its ``base_url`` in a test deployment) and its
decrypted credentials to a ``base.Connector``: the provider webhook receiver uses it today, the
payment attempt path (routing) will too.
"""

from __future__ import annotations

from typing import Any

from paygate.connectors.base import Connector
from paygate.connectors.razorpay_connector import RazorpayConnector
from paygate.connectors.simulator import SimulatorConnector
from paygate.connectors.stripe_connector import StripeConnector
from paygate.core.settings import Processing


def build(item: dict[str, Any], credentials: dict[str, str], timeout: float = 10.0) -> Connector:
    """The connector of configuration ``item`` with its plaintext ``credentials``; ``timeout`` is each
    provider call's deadline in seconds. ValueError for a connector name this gateway does not know."""
    name = item.get("connector")
    base_url = item.get("base_url") or None
    if name == "stripe":
        return StripeConnector(credentials["api_key"], api_base=base_url, timeout=timeout)
    if name == "razorpay":
        return RazorpayConnector(
            credentials["key_id"], credentials["key_secret"], base_url=base_url, timeout=timeout
        )
    if name == "simulator":
        return SimulatorConnector(Processing.load())
    raise ValueError(f"no connector named {name!r}")
