"""Customer use cases: create, read, update (partial), soft delete, list and search; and what other
contexts call (``check_chargeable``, ``check_listable``, ``forget_default``, ``set_default``).

Every write is conditioned on the version it was read at and retried on a fresh read when another
writer moved first (``paygate.payments.transitions.retrying``: the same loop as payments use). An
``external_id`` is unique per merchant and mode through its claim item (``store``): 409 on a duplicate.
A deleted customer is 404 on every route, absent from lists and cannot be charged; its data is kept
until a privacy erasure.
"""

from __future__ import annotations

from typing import Any, Literal

from paygate.core import clock
from paygate.core.errors import BadRequest, Conflict, NotFound
from paygate.core.ids import new_id
from paygate.customers import store
from paygate.customers.models import Customer, CustomerIn, CustomerList, CustomerUpdate, Preferences
from paygate.merchants.models import Principal
from paygate.payments.transitions import Stale, retrying


def _taken(external_id: str) -> Conflict:
    return Conflict(f"another customer already has external_id {external_id!r}", "external_id")


def _live(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any] | None:
    item = store.owned(customer_id, merchant_id, mode)
    return None if item is None or item.get("deleted") else item


def _owned(principal: Principal, customer_id: str) -> dict[str, Any]:
    item = _live(customer_id, principal.merchant_id, principal.mode)
    if item is None:
        raise NotFound(f"no customer {customer_id}", "id")
    return item


def _check_attached(payment_method_id: str, customer_id: str, principal: Principal) -> None:
    # imported here: the vault's payment methods call back into this module (forget_default)
    from paygate.vault import payment_methods

    if not payment_methods.attached_to(payment_method_id, customer_id, principal.merchant_id, principal.mode):
        raise BadRequest(
            f"payment method {payment_method_id} is not attached to customer {customer_id}",
            "default_payment_method",
        )


# --- the API --------------------------------------------------------------------------------------
def create_customer(principal: Principal, data: CustomerIn) -> Customer:
    customer_id = new_id("cus")
    if data.default_payment_method:  # a new customer has no payment method attached yet: refused
        _check_attached(data.default_payment_method, customer_id, principal)
    now = clock.iso_now()
    customer = {
        "id": customer_id,
        "merchant_id": principal.merchant_id,
        "mode": principal.mode,
        **data.model_dump(mode="json"),
        "deleted": False,
        "created_at": now,
        "updated_at": now,
    }
    outcome = store.insert(store.objects.new_item(store.KIND, customer))
    if outcome == "exists":  # this request ran before (see ids.derived_ids)
        return Customer.model_validate(store.objects.get(customer_id))
    if outcome == "taken":
        raise _taken(str(data.external_id))
    return Customer.model_validate(customer)


def get_customer(principal: Principal, customer_id: str) -> Customer:
    return Customer.model_validate(_owned(principal, customer_id))


def _changes(found: dict[str, Any], data: CustomerUpdate) -> dict[str, Any]:
    """The stored fields ``data`` changes: what it sent, ``null`` clearing a field."""
    changes: dict[str, Any] = {}
    for name in data.model_fields_set:
        value = getattr(data, name)
        if name == "metadata":
            changes[name] = value or {}
        elif name == "preferences":
            base = Preferences.model_validate(found.get("preferences") or {}) if value else Preferences()
            sent = value.model_dump(exclude_none=True) if value else {}
            changes[name] = base.model_copy(update=sent).model_dump(mode="json")
        else:
            changes[name] = value
    return changes


def update_customer(principal: Principal, customer_id: str, data: CustomerUpdate) -> Customer:
    if data.default_payment_method:
        _owned(principal, customer_id)  # another tenant's customer is a 404, before any vault lookup
        _check_attached(data.default_payment_method, customer_id, principal)

    def attempt() -> Customer:
        found = _owned(principal, customer_id)
        changes = _changes(found, data)
        if all(found.get(name) == value for name, value in changes.items()):
            return Customer.model_validate(found)  # nothing changes: nothing written
        new = {**found, **changes, "updated_at": clock.iso_now()}
        outcome = store.replace(found, new)
        if outcome == "stale":
            raise Stale
        if outcome == "taken":
            raise _taken(str(data.external_id))
        return Customer.model_validate(new)

    return retrying(attempt, f"customer {customer_id}")


def delete_customer(principal: Principal, customer_id: str) -> Customer:
    """Soft delete: ``deleted: true``, out of every listing and search, its external id freed."""

    def attempt() -> Customer:
        found = _owned(principal, customer_id)
        new = {**found, "deleted": True, "updated_at": clock.iso_now()}
        if store.replace(found, new) != "saved":
            raise Stale
        return Customer.model_validate(new)

    return retrying(attempt, f"customer {customer_id}")


def list_customers(
    principal: Principal,
    limit: int,
    offset: int,
    email: str | None = None,
    external_id: str | None = None,
) -> CustomerList:
    """Newest first; ``email`` and ``external_id`` are exact-match searches (e-mail case-insensitive)
    and may be combined."""
    merchant_id, mode = principal.merchant_id, principal.mode
    if external_id is not None:
        holder = store.holder_of(merchant_id, mode, external_id)
        item = _live(holder, merchant_id, mode) if holder else None
        matches = item is not None and (email is None or str(item.get("email", "")).lower() == email.lower())
        items = [item] if item is not None and matches and offset == 0 else []
        return CustomerList.of([Customer.model_validate(i) for i in items], has_more=False)
    if email is not None:
        page = store.by_email(merchant_id, mode, email, limit, offset)
    else:
        page = store.list_customers(merchant_id, mode, limit, offset)
    # an index entry read just before a delete or an e-mail change: the item (read consistently) decides
    shown = [
        Customer.model_validate(i)
        for i in page.items
        if not i.get("deleted") and (email is None or str(i.get("email", "")).lower() == email.lower())
    ]
    return CustomerList.of(shown, page.has_more)


# --- for other contexts ---------------------------------------------------------------------------
def check_chargeable(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any]:
    """The customer item a payment, order or intent may be made for; 400 (field ``customer``) when it
    is unknown, deleted, or another merchant's or mode's."""
    item = _live(customer_id, merchant_id, mode)
    if item is None:
        raise BadRequest(f"no customer {customer_id} to charge", "customer")
    return item


def check_listable(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any]:
    """As ``check_chargeable`` for a customer's sub-lists (``/customers/{id}/…``): 404 instead."""
    item = _live(customer_id, merchant_id, mode)
    if item is None:
        raise NotFound(f"no customer {customer_id}", "customer_id")
    return item


def forget_default(customer_id: str, merchant_id: str, mode: str, payment_method_id: str) -> bool:
    """Clear ``default_payment_method`` iff it is ``payment_method_id`` (a detached method); True if
    this call cleared it."""

    def attempt() -> bool:
        found = store.owned(customer_id, merchant_id, mode)
        if found is None or found.get("default_payment_method") != payment_method_id:
            return False
        new = {**found, "default_payment_method": None, "updated_at": clock.iso_now()}
        if store.replace(found, new) != "saved":
            raise Stale
        return True

    return retrying(attempt, f"customer {customer_id}")


def set_default(customer_id: str, merchant_id: str, mode: str, payment_method_id: str) -> None:
    """Make ``payment_method_id`` the default (the caller checked it is attached to this customer)."""

    def attempt() -> None:
        found = check_chargeable(customer_id, merchant_id, mode)
        if found.get("default_payment_method") == payment_method_id:
            return
        new = {**found, "default_payment_method": payment_method_id, "updated_at": clock.iso_now()}
        if store.replace(found, new) != "saved":
            raise Stale

    retrying(attempt, f"customer {customer_id}")


# --- privacy (docs/privacy.md) --------------------------------------------------------------------
PERSONAL_FIELDS = ("name", "email", "phone", "description", "external_id")
"""What an erasure clears on the customer item (``metadata`` to ``{}``, ``preferences`` to the defaults,
``default_payment_method`` to null as well): the merchant's free text may hold anything about a person."""


def exportable(customer_id: str, merchant_id: str, mode: str) -> dict[str, Any]:
    """The customer item, deleted or not (GDPR's rights outlive a soft delete); 404 when it is another
    merchant's or mode's, or unknown."""
    item = store.owned(customer_id, merchant_id, mode)
    if item is None:
        raise NotFound(f"no customer {customer_id}", "customer_id")
    return item


def erase(customer_id: str, merchant_id: str, mode: str) -> Customer:
    """Erase the customer's personal data from its item: the fields cleared, ``deleted: true`` (out of
    every index: the e-mail's key goes with it), the external id's claim freed, ``erased_at`` set and
    ``erasure: pending`` (the Payments and Webhooks contexts complete it, ``erasure_complete``).
    Version-conditioned and retried like every customer write, so a racing update either lands first
    (and is erased with the rest) or finds the customer gone. Erasing an erased customer writes
    nothing."""

    def attempt() -> Customer:
        found = exportable(customer_id, merchant_id, mode)
        if found.get("erased_at"):
            return Customer.model_validate(found)
        now = clock.iso_now()
        new = {
            **found,
            **dict.fromkeys(PERSONAL_FIELDS),
            "metadata": {},
            "preferences": Preferences().model_dump(mode="json"),
            "default_payment_method": None,
            "deleted": True,
            "erased_at": now,
            "erasure": "pending",
            "updated_at": now,
        }
        if store.replace(found, new) != "saved":
            raise Stale
        return Customer.model_validate(new)

    return retrying(attempt, f"customer {customer_id}")


ERASURE_PARTS = ("payments", "webhooks")
"""The contexts whose jobs finish an erasure, each marking ``<part>_erased_at`` on the customer item."""
ErasurePart = Literal["payments", "webhooks"]


def erasure_complete(customer_id: str, merchant_id: str, mode: str, part: ErasurePart) -> bool:
    """Mark ``part``'s side of an erased customer's erasure done (``<part>_erased_at``); the erasure is
    ``complete`` once every part of ``ERASURE_PARTS`` is. True if this call changed the customer."""
    marker = f"{part}_erased_at"

    def attempt() -> bool:
        found = store.owned(customer_id, merchant_id, mode)
        if (
            found is None
            or not found.get("erased_at")
            or found.get(marker)
            or found.get("erasure") == "complete"
        ):
            return False
        new = {**found, marker: clock.iso_now()}
        if all(new.get(f"{each}_erased_at") for each in ERASURE_PARTS):
            new["erasure"] = "complete"
        if store.replace(found, new) != "saved":
            raise Stale
        return True

    return retrying(attempt, f"customer {customer_id}")
