"""An HTTP client for the gateway's API, as a merchant integrates it, and the test's factories."""

from __future__ import annotations

from typing import Any

import requests

from tests.helpers import wait_for

SEED_KEY = ("key_test_abc123", "secret_test_xyz789")
SEED_EMAIL = "test@example.com"
SEED_PASSWORD = "test_password_123"
DASHBOARD_HEADER = {"X-Paygate-Dashboard": "1"}
ADMIN_KEY = "padm_local_admin_key"
VISA = "4111111111111111"
UPI = {"method": "upi", "vpa": "payer@okaxis"}


def card(number: str = VISA, **changes: Any) -> dict[str, Any]:
    details = {
        "number": number,
        "expiry_month": 12,
        "expiry_year": 2031,
        "cvv": "123",
        "holder_name": "A Payer",
    }
    return {"method": "card", "card": {**details, **changes}}


class Api:
    """``requests`` with the base URL and one set of credentials."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(headers or {})

    @classmethod
    def with_key(cls, base: str, key_id: str, secret: str) -> Api:
        return cls(base, {"X-Api-Key": key_id, "X-Api-Secret": secret})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.post(
            self.base + path, json=body if body is not None else {}, timeout=30, **kwargs
        )

    def patch(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.session.patch(self.base + path, json=body, timeout=30, **kwargs)

    # --- factories ------------------------------------------------------------------------
    def created(self, path: str, body: Any) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return response.json()

    def order(self, amount: int = 5000, **extra: Any) -> dict[str, Any]:
        return self.created("/api/v1/orders", {"amount": amount, **extra})

    def payment(self, order_id: str, method: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.created("/api/v1/payments", {"order_id": order_id, **(method or UPI)})

    def settled(self, path: str, pending: str = "pending", timeout: float = 20) -> dict[str, Any]:
        """GET ``path`` until its status is no longer ``pending``."""

        def probe() -> dict[str, Any] | None:
            body = self.get(path).json()
            return body if body.get("status") != pending else None

        return wait_for(probe, timeout=timeout, what=f"{path} to leave {pending}")

    def paid(self, amount: int = 5000, method: dict[str, Any] | None = None) -> dict[str, Any]:
        """An order paid by a payment that has succeeded; returns the payment."""
        order = self.order(amount)
        payment = self.payment(order["id"], method)
        return self.settled(f"/api/v1/payments/{payment['id']}")


def error_of(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "description"} <= set(body["error"]), body
    return body["error"]
