"""localstripe's server with one correction to match Stripe: a card PaymentMethod may be created without
``card[cvc]`` (Stripe takes it: "highly recommended", not required), as a saved card's later payments
are (its CVC is forgotten after the first authorization, PCI DSS). localstripe 1.x asserts a 3-digit CVC;
here a card without one is accepted and reported ``cvc_check: unavailable``. Run as
``python -m paygate_cli.localstripe_server --port N --from-scratch`` (``Localstripe`` below does)."""

from __future__ import annotations

from typing import Any

from localstripe import resources, server

_created = resources.PaymentMethod.__init__


def _without_cvc(
    self: Any, type: Any = None, billing_details: Any = None, card: Any = None, **kwargs: Any
) -> None:
    missing = type == "card" and isinstance(card, dict) and "cvc" not in card
    if missing:
        card = {**card, "cvc": "000"}  # only to pass localstripe's own check; never compared with anything
    _created(self, type=type, billing_details=billing_details, card=card, **kwargs)
    if missing:
        self.card["checks"] = {"cvc_check": "unavailable"}


resources.PaymentMethod.__init__ = _without_cvc  # type: ignore[method-assign]

if __name__ == "__main__":
    server.start()
