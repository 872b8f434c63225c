"""Merchant connector configurations: create, list, read, change, delete (``/api/v1/connectors``).

A configuration belongs to one merchant and one mode: a test key sees and changes test
configurations only, and a test configuration takes test credentials only (``models.CREDENTIAL_FIELDS``).
"""

from __future__ import annotations

from typing import Any

from paygate.connectors import credentials, routing_service, store
from paygate.connectors.models import (
    ConnectorIn,
    ConnectorUpdate,
    MerchantConnector,
    MerchantConnectorList,
    check_credentials,
    hints,
)
from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, NotFound
from paygate.core.ids import new_id
from paygate.core.settings import ConnectorsEnv
from paygate.merchants.models import Principal


def _owned(principal: Principal, connector_id: str) -> dict[str, Any]:
    item = store.objects.owned(connector_id, store.KIND, principal.merchant_id, principal.mode)
    if item is None:
        raise NotFound(f"no connector configuration {connector_id}", "id")
    return item


def _public(item: dict[str, Any]) -> MerchantConnector:
    return MerchantConnector.model_validate(
        {
            **item,
            "credentials": item.get("credential_hints") or {},
            "webhook_path": f"/api/v1/connectors/{item['connector']}/webhooks/{item['id']}",
        }
    )


def _checked(connector: str, mode: str, given: dict[str, str]) -> dict[str, str]:
    try:
        return check_credentials(connector, mode, given)
    except ValueError as exc:
        field, _, why = str(exc).partition(": ")
        raise BadRequest(why, field) from None


def _check_base_url(base_url: str | None) -> None:
    if base_url is not None and not ConnectorsEnv.load().test_mode:
        raise BadRequest("base_url is for test deployments only (a local provider server)", "base_url")


def create(principal: Principal, data: ConnectorIn) -> MerchantConnector:
    given = _checked(data.connector, principal.mode, data.credentials)
    _check_base_url(data.base_url)
    now = clock.iso_now()
    connector_id = new_id("mca")
    item = {
        "id": connector_id,
        "merchant_id": principal.merchant_id,
        "mode": principal.mode,
        "connector": data.connector,
        "label": data.label,
        "enabled": data.enabled,
        "base_url": data.base_url,
        "credentials_blob": credentials.encrypt(given, principal.merchant_id, principal.mode, connector_id),
        "credential_hints": hints(given),
        "created_at": now,
        "updated_at": now,
    }
    store.objects.put_new(store.objects.new_item(store.KIND, item))
    return _public(item)


def list_connectors(principal: Principal, limit: int, offset: int) -> MerchantConnectorList:
    page = store.objects.list_for_merchant(principal.merchant_id, principal.mode, store.KIND, limit, offset)
    return MerchantConnectorList.of([_public(i) for i in page.items], page.has_more)


def get(principal: Principal, connector_id: str) -> MerchantConnector:
    return _public(_owned(principal, connector_id))


def update(principal: Principal, connector_id: str, data: ConnectorUpdate) -> MerchantConnector:
    found = _owned(principal, connector_id)
    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("label", "enabled", "base_url")
        if name in data.model_fields_set
    }
    if "enabled" in changes and changes["enabled"] is None:
        raise BadRequest("enabled must be true or false", "enabled")
    if "base_url" in changes:
        _check_base_url(changes["base_url"])
    if data.credentials is not None:
        given = _checked(found["connector"], principal.mode, data.credentials)
        changes["credentials_blob"] = credentials.encrypt(
            given, principal.merchant_id, principal.mode, found["id"]
        )
        changes["credential_hints"] = hints(given)
    changes["updated_at"] = clock.iso_now()
    updated = dynamo.update(store.objects.change(found["id"], changes, "attribute_exists(pk)"))
    if updated is None:
        raise NotFound(f"no connector configuration {connector_id}", "id")
    return _public(updated)


def delete(principal: Principal, connector_id: str) -> MerchantConnector:
    """409 naming the rule field while the routing configuration names it (routing_service)."""
    found = _owned(principal, connector_id)
    routing_service.refuse_if_routed(principal.merchant_id, principal.mode, found["id"])
    store.objects.delete(found["id"])
    return _public(found)


def credentials_of(item: dict[str, Any]) -> dict[str, str]:
    """The plaintext credentials of a stored configuration, for the connector that uses them."""
    return credentials.decrypt(item["credentials_blob"], item["merchant_id"], item["mode"], item["id"])
