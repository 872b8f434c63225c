"""``connectors.registry.build``: a stored configuration and its credentials -> its connector."""

from __future__ import annotations

import pytest
from paygate.connectors import registry
from paygate.connectors.razorpay_connector import RazorpayConnector
from paygate.connectors.simulator import SimulatorConnector
from paygate.connectors.stripe_connector import StripeConnector


def test_each_configured_connector_is_built_with_its_credentials_base_url_and_timeout() -> None:
    stripe = registry.build(
        {"connector": "stripe", "base_url": "http://127.0.0.1:9"}, {"api_key": "sk_test_Registry17"}, 3.0
    )
    assert isinstance(stripe, StripeConnector)
    assert (stripe.api_base, stripe.timeout) == ("http://127.0.0.1:9", 3.0)
    razorpay = registry.build(
        {"connector": "razorpay", "base_url": None},
        {"key_id": "rzp_test_Registry17", "key_secret": "Registry17Secret"},
    )
    assert isinstance(razorpay, RazorpayConnector) and razorpay.base_url is None
    assert isinstance(registry.build({"connector": "simulator"}, {}), SimulatorConnector)
    # neither repr shows a secret
    assert "sk_test_Registry17" not in repr(stripe) and "Registry17Secret" not in repr(razorpay)


def test_an_unknown_connector_is_refused() -> None:
    with pytest.raises(ValueError, match="no connector named 'paypal'"):
        registry.build({"connector": "paypal"}, {})
