"""Setup intents: save a card or a VPA to a customer without charging it (docs/payment-methods.md).

    requires_payment_method --confirm (card)--> processing --verified--> succeeded
    processing --challenge--> requires_action --authenticated--> succeeded
    processing | requires_action --failed--> requires_payment_method
    requires_payment_method --confirm (upi)--> succeeded
    requires_payment_method | requires_confirmation | requires_action --cancel--> canceled

A card is verified by a zero-amount authorization, a payment item of the setup intent (``setup_intent_id``;
listed under ``setup_attempt``, not among payments, and announced by no payment event), so it goes the
attempt path of every card: the queue, the simulator's 3-D Secure test cards, the hosted challenge,
its timeout. Its outcome moves the setup intent and attaches the method with its mandate in the same
transaction (``outcome_writes``, called by ``processing.record_outcome``).
"""

from __future__ import annotations

from typing import Any

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest, Conflict, InvalidState
from paygate.core.ids import new_id
from paygate.merchants.models import Principal
from paygate.payments import store
from paygate.payments.access import owned
from paygate.payments.models import MethodIn
from paygate.payments.service import new_payment, vault_writes
from paygate.payments.setup_intent_models import (
    MandateDataIn,
    SetupConfirmIn,
    SetupIntent,
    SetupIntentIn,
    SetupIntentList,
)
from paygate.payments.transitions import Stale, pinned, retrying
from paygate.vault import customer_link, payment_methods
from paygate.vault import methods_store as pm_store

KIND = "setup_intent"
ATTEMPT_KIND = "setup_attempt"  # the verification's listing: never among the merchant's payments
VERIFICATION_CURRENCY = "INR"  # a zero-amount authorization; the currency is the gateway's default
CONFIRMABLE = ("requires_payment_method", "requires_confirmation")


def create(principal: Principal, data: SetupIntentIn) -> SetupIntent:
    customer_link.require(data.customer, principal.merchant_id, principal.mode)
    if data.payment_method:
        _usable(principal, data.payment_method, data.customer)
    now = clock.iso_now()
    intent = {
        "id": new_id("seti"),
        "merchant_id": principal.merchant_id,
        "mode": principal.mode,
        "customer": data.customer,
        "payment_method": data.payment_method,
        "status": "requires_confirmation" if data.payment_method else "requires_payment_method",
        "usage": data.usage,
        "description": data.description,
        "metadata": data.metadata,
        "created_at": now,
        "updated_at": now,
    }
    if not store.put_new(store.new_item(KIND, intent)):  # this request ran before (see ids.derived_ids)
        return SetupIntent.model_validate(store.get(intent["id"]))
    return SetupIntent.model_validate(intent)


def get(principal: Principal, setup_intent_id: str) -> SetupIntent:
    return SetupIntent.model_validate(owned(principal, KIND, setup_intent_id))


def list_intents(principal: Principal, limit: int, offset: int) -> SetupIntentList:
    page = store.list_for_merchant(principal.merchant_id, principal.mode, KIND, limit, offset)
    return SetupIntentList.of([SetupIntent.model_validate(item) for item in page.items], page.has_more)


def _usable(principal: Principal, pm_id: str, customer_id: str) -> dict[str, Any]:
    item = pm_store.owned(pm_id, principal.merchant_id, principal.mode)
    if item is None:
        raise BadRequest(f"no payment method {pm_id}", "payment_method")
    if item.get("detached_at"):
        raise BadRequest(f"payment method {pm_id} was detached and cannot be used", "payment_method")
    if item.get("customer") not in (None, customer_id):
        raise BadRequest(f"payment method {pm_id} is attached to another customer", "payment_method")
    if item.get("used_at"):
        raise BadRequest(f"payment method {pm_id} was used already; create a new one", "payment_method")
    return item


def _mandate(data: MandateDataIn | None, usage: str) -> dict[str, Any] | None:
    if data is None:
        if usage == "off_session":
            raise BadRequest(
                "an off-session setup records the customer's acceptance: give mandate_data", "mandate_data"
            )
        return None
    return payment_methods.mandate_of(data.customer_acceptance.model_dump(exclude_none=True))


def confirm(principal: Principal, setup_intent_id: str, data: SetupConfirmIn) -> SetupIntent:
    """Verify the method (a card: a zero-amount authorization, 3-D Secure when the card asks) and save
    it to the customer with the mandate; a VPA is saved at once."""
    data.check()
    made: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []  # a new method, sealed once
    attempt_id = new_id("pay")

    def attempt() -> SetupIntent:
        intent = owned(principal, KIND, setup_intent_id)
        if intent["status"] not in CONFIRMABLE:
            if intent.get("latest_attempt") == attempt_id or (
                made and intent.get("payment_method") == made[0][0]["id"]
            ):
                return SetupIntent.model_validate(intent)  # this request ran before (see ids.derived_ids)
            raise InvalidState(
                f"setup intent {setup_intent_id} is {intent['status']}; confirm needs "
                "requires_payment_method or requires_confirmation",
                "status",
            )
        mandate = _mandate(data.mandate_data, intent["usage"])
        method, writes = _method(principal, intent, data, made)
        if method["method_type"] == "upi":  # saved at once (UPI Autopay's own mandate flow: not simulated)
            sets = {
                "status": "succeeded",
                "payment_method": method["id"],
                "mandate": mandate,
                "last_setup_error": None,
                "updated_at": clock.iso_now(),
            }
            if made:  # a new method: written attached (one transaction may touch an item once)
                saved = payment_methods.attached_item(method, intent["customer"], mandate)
                writes = [dynamo.put_op(pm_store.objects.table(), saved)]
            else:
                writes = [payment_methods.attach_op(method, intent["customer"], mandate)]
            _commit([pinned(intent, sets), *writes])
            return SetupIntent.model_validate({**intent, **sets})
        verification = _verification(intent, method, data, attempt_id)
        sets = {
            "status": "processing",
            "payment_method": method["id"],
            "pending_mandate": mandate,
            "latest_attempt": attempt_id,
            "last_setup_error": None,
            "updated_at": verification["created_at"],
        }
        _commit([dynamo.put_op(store.table(), verification), pinned(intent, sets), *writes])
        return SetupIntent.model_validate({**intent, **sets})

    return retrying(attempt, f"setup intent {setup_intent_id}")


def _method(
    principal: Principal,
    intent: dict[str, Any],
    data: SetupConfirmIn,
    made: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The method to save and the writes that go with it: a new method's Puts (its card sealed once,
    however often the confirm is retried), or a check that a named one is still free and alive."""
    if data.payment_method_data is not None:
        if not made:
            details = data.payment_method_data
            card, sealed = None, None
            if details.card is not None:
                card, sealed = payment_methods.sealed_card_facts(
                    details.card, intent["merchant_id"], intent["mode"]
                )
            item = payment_methods.new_item(
                intent["merchant_id"],
                intent["mode"],
                details.type,
                card=card,
                card_token=sealed.card.token if sealed else None,
                vpa=details.upi.vpa if details.upi else None,
                billing_details=details.billing_details.model_dump(exclude_none=True)
                if details.billing_details
                else None,
                metadata=details.metadata,
            )
            made.append((item, [dynamo.put_op(pm_store.objects.table(), item), *vault_writes(sealed)]))
        return made[0]
    pm_id = data.payment_method or intent.get("payment_method")
    if not pm_id:
        raise BadRequest("give payment_method or payment_method_data", "payment_method")
    item = _usable(principal, pm_id, intent["customer"])
    check = {
        "ConditionCheck": {
            "TableName": pm_store.objects.table(),
            "Key": dynamo.to_item(pm_store.objects.key(pm_id)),
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": dynamo.values(version=item["version"]),
        }
    }
    return item, [check]


def _verification(
    intent: dict[str, Any], method: dict[str, Any], data: SetupConfirmIn, attempt_id: str
) -> dict[str, Any]:
    owner = {**intent, "amount": 0, "currency": VERIFICATION_CURRENCY, "capture_method": "manual"}
    details = MethodIn(payment_method=method["id"], return_url=data.return_url)
    item = new_payment(owner, details, ("setup_intent_id", intent["id"]), attempt_id, saved=method)
    item["gsi1pk"] = f"MERCHANT#{intent['merchant_id']}#{intent['mode']}#{ATTEMPT_KIND}"
    item.pop("gsi3pk", None)  # nor among the customer's payments
    item.pop("gsi3sk", None)
    return item


def cancel(principal: Principal, setup_intent_id: str) -> SetupIntent:
    def attempt() -> SetupIntent:
        intent = owned(principal, KIND, setup_intent_id)
        if intent["status"] not in (*CONFIRMABLE, "requires_action"):
            raise InvalidState(
                f"setup intent {setup_intent_id} is {intent['status']}; it cannot be canceled", "status"
            )
        now = clock.iso_now()
        sets = {"status": "canceled", "canceled_at": now, "next_action": None, "updated_at": now}
        _commit([pinned(intent, sets)])
        return SetupIntent.model_validate({**intent, **sets})

    return retrying(attempt, f"setup intent {setup_intent_id}")


def _commit(writes: list[dict[str, Any]]) -> None:
    reasons = dynamo.transact(writes)
    if reasons is None:
        return
    if "ConditionalCheckFailed" in reasons:
        raise Stale
    raise Conflict("the setup intent could not be updated; retry the request")


# --- the verification's outcome (called from the attempt path) ---------------------------------------
def outcome_writes(
    verification: dict[str, Any], success: bool, error: tuple[str, str], expected: str, now: str
) -> list[dict[str, Any]]:
    """The setup intent's move with its verification's outcome, for the same transaction: succeeded and
    the method attached with the mandate, or back to requires_payment_method with the error. Conditioned
    on the intent still waiting on this verification (a cancel wins over a late outcome)."""
    intent = store.get(verification["setup_intent_id"])
    if intent is None:
        return []
    sets: dict[str, Any] = {"next_action": None, "updated_at": now}
    writes = []
    if success:
        sets.update(status="succeeded", mandate=intent.get("pending_mandate"), pending_mandate=None)
        method = pm_store.objects.get(intent["payment_method"]) if intent.get("payment_method") else None
        if method is not None:
            writes.append(
                payment_methods.attach_op(method, intent["customer"], intent.get("pending_mandate"))
            )
    else:
        sets.update(
            status="requires_payment_method",
            payment_method=None,
            pending_mandate=None,
            last_setup_error={"code": error[0], "message": error[1]},
        )
    move = store.change(
        intent["id"],
        sets,
        "#status = :waiting AND #latest_attempt = :attempt",
        waiting="processing" if expected == "pending" else expected,
        attempt=verification["id"],
    )
    return [move, *writes]


def action_write(verification: dict[str, Any], action: dict[str, Any], now: str) -> dict[str, Any]:
    """The setup intent follows its verification into requires_action (3-D Secure)."""
    return store.change(
        verification["setup_intent_id"],
        {"status": "requires_action", "next_action": action, "updated_at": now},
        "#status = :processing AND #latest_attempt = :attempt",
        processing="processing",
        attempt=verification["id"],
    )
