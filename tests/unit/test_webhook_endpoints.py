"""Webhook endpoints on moto (issue 15, item 8): at most 16 per merchant and mode, however many
creates race, endpoints from before the limit counted, and an event's subscribers read on every page."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from paygate.core import clock
from paygate.core.errors import EndpointLimitReached
from paygate.core.ids import derived_ids
from paygate.merchants.models import Principal
from paygate.webhooks import service, store
from paygate.webhooks.models import EndpointIn

from tests.unit.merchants_world import merchants_world

MERCHANT = "mer_0000000000limit"


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    with merchants_world():
        yield


def _as(mode: str, merchant_id: str = MERCHANT) -> Principal:
    return Principal(merchant_id=merchant_id, mode=mode, key_id=f"key_{mode}_x")  # type: ignore[arg-type]


def _create(mode: str = "test", n: int = 0, merchant_id: str = MERCHANT) -> str:
    made = service.create_endpoint(_as(mode, merchant_id), EndpointIn(url=f"http://127.0.0.1:9/hook{n}"))
    return made.id


def _legacy_endpoints(count: int, merchant_id: str, status: str = "enabled") -> list[str]:
    """Endpoint items as they were written before the limit existed (no counter)."""
    ids = []
    for n in range(count):
        now = clock.iso_now()
        endpoint_id = f"we_legacy{n:05d}{merchant_id[-4:]}"
        item = {
            "id": endpoint_id,
            "merchant_id": merchant_id,
            "mode": "test",
            "url": f"http://127.0.0.1:9/legacy{n}",
            "enabled_events": ["*"],
            "status": status,
            "secret": "whsec_x",
            "created_at": f"{now}{n:05d}",
            "updated_at": now,
        }
        assert store.objects.put_new(store.objects.new_item("endpoint", item))
        ids.append(endpoint_id)
    return ids


def test_sixteen_endpoints_per_mode_then_the_next_is_refused_naming_the_url() -> None:
    made = [_create(n=n) for n in range(16)]
    with pytest.raises(EndpointLimitReached) as refused:
        _create(n=16)
    assert refused.value.field == "url" and refused.value.status == 400
    # the other mode has a limit of its own (live: https to a public address), and a deleted endpoint
    # frees its place
    live = service.create_endpoint(_as("live"), EndpointIn(url="https://93.184.215.14/hook"))
    assert live.mode == "live"
    service.delete_endpoint(_as("test"), made[0])
    _create(n=17)
    with pytest.raises(EndpointLimitReached):
        _create(n=18)


def test_concurrent_creates_never_pass_the_limit() -> None:
    # When 40 creates race for a merchant's test mode
    def attempt(n: int) -> bool:
        try:
            _create(n=n)
        except EndpointLimitReached:
            return False
        return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(40)))
    # Then exactly 16 were made, and 16 exist
    assert outcomes.count(True) == store.ENDPOINT_LIMIT
    assert len(store.endpoints_of(MERCHANT, "test")) == store.ENDPOINT_LIMIT


def test_endpoints_made_before_the_limit_count_towards_it() -> None:
    # Given 20 endpoints from before the limit (no counter yet)
    legacy = _legacy_endpoints(20, MERCHANT)
    # Then no endpoint can be added until fewer than 16 remain
    with pytest.raises(EndpointLimitReached):
        _create()
    for endpoint_id in legacy[:5]:
        service.delete_endpoint(_as("test"), endpoint_id)
    _create()
    with pytest.raises(EndpointLimitReached):
        _create(n=1)


def test_every_subscriber_is_read_however_many_pages() -> None:
    # Given a merchant with 105 endpoints (from before the limit), the number the review made
    _legacy_endpoints(105, MERCHANT)
    event = {"id": "evt_1", "type": "order.created", "merchantid": MERCHANT, "mode": "test"}
    # Then the event's subscribers are all 105, whatever the page size of the reads
    assert len(service.subscribers(event)) == 105
    assert len(store.endpoints_of(MERCHANT, "test", page_size=7)) == 105


def test_a_create_run_again_answers_the_stored_endpoint_without_counting_it_twice() -> None:
    # Given an endpoint made under derived ids (what an Idempotency-Key retry runs under)
    with derived_ids("route", MERCHANT, "test", "key-1"):
        first = service.create_endpoint(_as("test"), EndpointIn(url="http://127.0.0.1:9/once"))
    # When the create runs again with the same ids
    with derived_ids("route", MERCHANT, "test", "key-1"):
        again = service.create_endpoint(_as("test"), EndpointIn(url="http://127.0.0.1:9/once"))
    # Then it answers the stored endpoint, its secret included, and counts one place
    assert again.model_dump(mode="json") == first.model_dump(mode="json")
    for n in range(15):
        _create(n=n)
    with pytest.raises(EndpointLimitReached):
        _create(n=15)
