"""A merchant's routing configuration per mode, in the connectors table, and the state of the
connector configurations it names. The payment path calls ``load`` and ``availability`` before
``routing.route``; the routing API (``routing_service``) writes with ``put``.

Item: ``pk = ROUTING#<merchant_id>#<mode>``, ``sk = CONFIG`` (no ``gsi1pk``: listings never see it),
with ``version``, ``updated_at``, ``merchant_id``, ``mode`` as attributes and the rules and default
as one JSON string (``config``): the configuration is validated, read and written whole and never
queried inside, and a JSON string round-trips it exactly (DynamoDB maps would turn every number into
a Decimal and need a second schema). Size: at most 50 rules of 10 configurations and 50 currencies,
well under DynamoDB's 400 KB (the API's 32 KB body cap comes first).
"""

from __future__ import annotations

import json
from typing import Any

from paygate.connectors import breaker, store
from paygate.connectors.routing import Availability
from paygate.connectors.routing_models import RoutingConfig, RoutingConfigIn
from paygate.core import clock, dynamo
from paygate.core.settings import ConnectorsTable

SK = "CONFIG"
ITEM_TYPE = "routing_config"
DELETED = "deleted"  # the reason of a configuration the rules name that no longer exists


def key(merchant_id: str, mode: str) -> dict[str, str]:
    return {"pk": f"ROUTING#{merchant_id}#{mode}", "sk": SK}


def load(merchant_id: str, mode: str) -> RoutingConfig | None:
    """The stored configuration (one consistent GetItem); None when the merchant never set one.
    A configuration emptied by ``DELETE /routing`` is returned (no rules, no default, its version):
    ``route`` sends every payment to the simulator and the trace names the version."""
    item = dynamo.get(_table(), **key(merchant_id, mode))
    if item is None:
        return None
    return RoutingConfig.model_validate(
        {
            **json.loads(item["config"]),
            "merchant_id": merchant_id,
            "mode": mode,
            "version": item["version"],
            "updated_at": item["updated_at"],
        }
    )


def put(merchant_id: str, mode: str, config: RoutingConfigIn, read_version: int) -> RoutingConfig | None:
    """Store ``config`` as version ``read_version + 1`` with one PutItem, if the stored version is still
    ``read_version`` (0: nothing stored); None when another write landed first."""
    stored = RoutingConfig(
        **config.model_dump(),
        merchant_id=merchant_id,
        mode=mode,  # type: ignore[arg-type]
        version=read_version + 1,
        updated_at=clock.iso_now(),
    )
    item = {
        **key(merchant_id, mode),
        "type": ITEM_TYPE,
        "merchant_id": merchant_id,
        "mode": mode,
        "version": stored.version,
        "updated_at": stored.updated_at,
        "config": json.dumps(stored.model_dump(mode="json", include={"rules", "default"})),
    }
    if not dynamo.put_versioned(_table(), item, read_version):
        return None
    return stored


def configurations(merchant_id: str, mode: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The merchant's connector configurations in this mode among ``ids`` (one consistent
    BatchGetItem); another merchant's or mode's id is left out, as a deleted one is."""
    return {
        item["id"]: item
        for item in dynamo.batch_get(_table(), [store.objects.key(mca) for mca in dict.fromkeys(ids)])
        if _owned(item, merchant_id, mode)
    }


def availability(merchant_id: str, mode: str, config: RoutingConfigIn | None) -> dict[str, Availability]:
    """For every configuration id ``config`` names: whether it is enabled (its item) and what its
    circuit breaker says now, read only: a half-open breaker is reported as letting the next call
    through as its probe, but no probe is claimed here. The call site still asks ``breaker.allow``
    right before calling a connector (which claims the probe). One consistent BatchGetItem reads the
    configurations and their breaker items together. An id that no longer names one of the merchant's
    configurations in this mode: ``Availability(enabled=False, reason="deleted")``."""
    if config is None:
        return {}
    ids = list(dict.fromkeys(mca for _, mca in config.connector_ids()))
    if not ids:
        return {}
    keys = [store.objects.key(mca) for mca in ids] + [breaker.key(mca) for mca in ids]
    found = {(item["pk"], item["sk"]): item for item in dynamo.batch_get(_table(), keys)}
    now_ms = int(clock.now().timestamp() * 1000)
    answer: dict[str, Availability] = {}
    for mca in ids:
        item = found.get((mca, store.objects.key(mca)["sk"]))
        if item is None or not _owned(item, merchant_id, mode):
            answer[mca] = Availability(enabled=False, allowed=False, reason=DELETED)
            continue
        if not item.get("enabled", True):  # the breaker does not matter: the trace says "disabled"
            answer[mca] = Availability(enabled=False, connector=item["connector"])
            continue
        state = breaker.Breaker.from_item(found.get((breaker.key(mca)["pk"], breaker.SK)))
        allowed, reason = _breaker_view(state, now_ms)
        answer[mca] = Availability(allowed=allowed, reason=reason, connector=item["connector"], item=item)
    return answer


def _breaker_view(state: breaker.Breaker, now_ms: int) -> tuple[bool, str | None]:
    """(allowed, reason for the trace) from the breaker's rules, without writing anything."""
    decision, _claim = breaker.decide(state, now_ms)  # the claim is not written: read only
    if decision.state is breaker.BreakerState.CLOSED:
        return True, None  # the usual case: nothing worth a word in the trace
    # "circuit open since 12:00:03 after 5 consecutive processor errors", or, once the cool-down is
    # over, "circuit half-open probe (...)": allowed, the next call being the probe
    return decision.allowed, f"circuit {decision.reason}"


def _owned(item: dict[str, Any], merchant_id: str, mode: str) -> bool:
    owner = (item.get("merchant_id"), item.get("mode"))
    return item.get("type") == store.KIND and owner == (merchant_id, mode)


def _table() -> str:
    return ConnectorsTable.load().connectors_table
