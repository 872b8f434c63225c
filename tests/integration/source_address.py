"""Clients that connect from a loopback address of their own (127.0.0.0/8 is all loopback on Linux),
so per-client limits keyed by the source address can be tested without one test's client using up
another's budget."""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter

from tests.integration.gateway.client import Api


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def api_from(address: str, base: str, headers: dict[str, str] | None = None) -> Api:
    api = Api(base, headers)
    api.session.mount("http://", _FromAddress(address))
    return api
