"""The customers service on moto: external_id uniqueness (per merchant and mode, under racing threads),
version-conditioned updates under races, soft delete, search, and what other contexts call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from paygate.core.errors import BadRequest, Conflict, NotFound
from paygate.customers import service, store
from paygate.customers.models import CustomerIn, CustomerUpdate
from paygate.events.catalog import event_types
from paygate.merchants.models import Principal

from tests.helpers import at_once
from tests.unit.moto_world import tables_world

TEST = Principal(merchant_id="mer_a", mode="test", key_id="key_test_a")
LIVE = Principal(merchant_id="mer_a", mode="live", key_id="key_live_a")
OTHER = Principal(merchant_id="mer_b", mode="test", key_id="key_test_b")
CONFLICT = "409"


@pytest.fixture(autouse=True)
def world() -> Iterator[None]:
    with tables_world({"CUSTOMERS_TABLE": "CustomersTable", "VAULT_TABLE": "VaultTable"}):
        yield


def _create(principal: Principal = TEST, **fields: Any) -> Any:
    return service.create_customer(principal, CustomerIn.model_validate(fields))


def _update(customer_id: str, principal: Principal = TEST, **fields: Any) -> Any:
    return service.update_customer(principal, customer_id, CustomerUpdate.model_validate(fields))


def test_create_get_and_the_defaults() -> None:
    made = _create(name="Ada", email="Ada@Example.com", phone="+919876543210", metadata={"tier": "gold"})
    assert made.id.startswith("cus_") and made.object == "customer" and made.mode == "test"
    assert made.preferences.model_dump() == {"email": True, "sms": False, "language": "en"}
    assert (made.deleted, made.default_payment_method, made.external_id) == (False, None, None)
    assert service.get_customer(TEST, made.id) == made


def test_another_tenant_or_mode_never_sees_a_customer() -> None:
    made = _create(name="Ada")
    for principal in (LIVE, OTHER):
        with pytest.raises(NotFound):
            service.get_customer(principal, made.id)
        with pytest.raises(NotFound):
            _update(made.id, principal, name="Eve")
        with pytest.raises(NotFound):
            service.delete_customer(principal, made.id)
        assert service.list_customers(principal, 10, 0).items == []
        with pytest.raises(BadRequest) as refused:
            service.check_chargeable(made.id, principal.merchant_id, principal.mode)
        assert refused.value.field == "customer"
    assert service.get_customer(TEST, made.id).name == "Ada"


def test_external_id_is_unique_per_merchant_and_mode() -> None:
    _create(external_id="crm-1")
    with pytest.raises(Conflict) as duplicate:
        _create(external_id="crm-1", name="twin")
    assert duplicate.value.field == "external_id"
    # the same id in the other mode and at another merchant is another customer's to take
    assert _create(LIVE, external_id="crm-1").mode == "live"
    assert _create(OTHER, external_id="crm-1").external_id == "crm-1"
    assert [c.name for c in service.list_customers(TEST, 10, 0).items] == [None]  # the twin was not written


def test_racing_creates_of_one_external_id_make_exactly_one_customer() -> None:
    outcomes = at_once(*[lambda: _try(lambda: _create(external_id="race")) for _ in range(8)])
    made = [o for o in outcomes if o != CONFLICT]
    assert len(made) == 1 and outcomes.count(CONFLICT) == 7
    assert [c.id for c in service.list_customers(TEST, 100, 0).items] == [made[0].id]
    assert store.holder_of("mer_a", "test", "race") == made[0].id


def test_racing_updates_to_one_external_id_leave_it_with_exactly_one_customer() -> None:
    first, second = _create(name="one"), _create(name="two")
    outcomes = at_once(
        lambda: _try(lambda: _update(first.id, external_id="wanted")),
        lambda: _try(lambda: _update(second.id, external_id="wanted")),
    )
    assert outcomes.count(CONFLICT) == 1
    holders = [c.id for c in service.list_customers(TEST, 10, 0, external_id="wanted").items]
    assert len(holders) == 1 and holders[0] == store.holder_of("mer_a", "test", "wanted")
    assert [c.external_id for c in service.list_customers(TEST, 10, 0).items].count("wanted") == 1


def test_changing_or_clearing_the_external_id_moves_or_frees_its_claim() -> None:
    made = _create(external_id="old")
    _update(made.id, external_id="new")
    assert store.holder_of("mer_a", "test", "old") is None
    assert _create(external_id="old").external_id == "old"  # freed: another customer takes it
    _update(made.id, external_id=None)
    assert store.holder_of("mer_a", "test", "new") is None
    assert service.get_customer(TEST, made.id).external_id is None


def test_racing_updates_of_one_customer_each_apply_once() -> None:
    made = _create(metadata={})
    at_once(*[lambda i=i: _update(made.id, description=f"d{i}") for i in range(6)])
    stored = store.objects.get(made.id)
    assert stored is not None and stored["version"] == 7  # every update read, wrote, and none was lost


def test_patch_changes_only_what_was_sent_and_null_clears() -> None:
    made = _create(name="Ada", email="ada@example.com", phone="+14155550100", metadata={"a": 1})
    changed = _update(made.id, phone=None, metadata={"b": "x"}, preferences={"sms": True})
    assert (changed.name, changed.email, changed.phone) == ("Ada", "ada@example.com", None)
    assert changed.metadata == {"b": "x"}
    assert changed.preferences.model_dump() == {"email": True, "sms": True, "language": "en"}
    cleared = _update(made.id, metadata=None, preferences=None, email=None)
    assert (cleared.metadata, cleared.email, cleared.preferences.sms) == ({}, None, False)
    assert service.list_customers(TEST, 10, 0, email="ada@example.com").items == []


def test_soft_delete_hides_the_customer_everywhere_and_keeps_its_data() -> None:
    made = _create(name="Ada", email="ada@example.com", external_id="crm-9")
    gone = service.delete_customer(TEST, made.id)
    assert gone.deleted is True and gone.name == "Ada"
    for call in (
        lambda: service.get_customer(TEST, made.id),
        lambda: _update(made.id, name="x"),
        lambda: service.delete_customer(TEST, made.id),
        lambda: service.check_listable(made.id, "mer_a", "test"),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(BadRequest) as refused:
        service.check_chargeable(made.id, "mer_a", "test")
    assert refused.value.field == "customer"
    assert service.list_customers(TEST, 10, 0).items == []
    assert service.list_customers(TEST, 10, 0, email="ada@example.com").items == []
    assert service.list_customers(TEST, 10, 0, external_id="crm-9").items == []
    stored = store.objects.get(made.id)
    assert stored is not None and stored["name"] == "Ada" and stored["email"] == "ada@example.com"


def test_search_by_email_and_external_id_newest_first() -> None:
    older = _create(email="Same@Example.com", external_id="e1")
    newer = _create(email="same@example.com")
    _create(email="other@example.com")
    found = service.list_customers(TEST, 10, 0, email="SAME@example.com")
    assert [c.id for c in found.items] == [newer.id, older.id]
    page = service.list_customers(TEST, 1, 0, email="same@example.com")
    assert [c.id for c in page.items] == [newer.id] and page.has_more
    assert [c.id for c in service.list_customers(TEST, 10, 0, external_id="e1").items] == [older.id]
    both = service.list_customers(TEST, 10, 0, email="same@example.com", external_id="e1")
    assert [c.id for c in both.items] == [older.id]
    assert service.list_customers(TEST, 10, 0, email="other@example.com", external_id="e1").items == []
    assert len(service.list_customers(TEST, 10, 0).items) == 3


def test_default_payment_method_must_be_attached() -> None:
    made = _create()
    with pytest.raises(BadRequest) as refused:
        _update(made.id, default_payment_method="pm_0000000000000A")
    assert refused.value.field == "default_payment_method"
    # an attached method is taken: tests/unit/test_saved_methods.py (the detach clears it again)


def test_set_and_forget_default() -> None:
    made = _create()
    service.set_default(made.id, "mer_a", "test", "pm_0000000000000A")
    assert service.get_customer(TEST, made.id).default_payment_method == "pm_0000000000000A"
    assert service.forget_default(made.id, "mer_a", "test", "pm_0000000000000B") is False
    assert service.forget_default(made.id, "mer_a", "test", "pm_0000000000000A") is True
    assert service.get_customer(TEST, made.id).default_payment_method is None
    assert service.forget_default(made.id, "mer_b", "test", "pm_0000000000000A") is False


def test_events_of_a_customer() -> None:
    made = store.objects.get(_create(name="Ada").id)
    assert event_types(None, made) == ("customer.created",)
    updated = {**made, "name": "Eve", "version": 2}
    assert event_types(made, updated) == ("customer.updated",)
    assert event_types(updated, {**updated, "deleted": True, "version": 3}) == ("customer.deleted",)
    assert event_types(None, {"type": "external_id_claim", "customer_id": made["id"]}) == ()


def _try(call: Any) -> Any:
    """The call's result, or ``CONFLICT`` (``at_once`` re-raises exceptions its calls return)."""
    try:
        return call()
    except Conflict:
        return CONFLICT
