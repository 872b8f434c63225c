"""Privacy use cases: export a customer's data, erase it, list the audit (docs/privacy.md).

An orchestration over the contexts' own layer functions (customers, the vault's payment methods, the
payments table's objects): each context's data is read or changed by its own module. Every export and
every erasure appends an audit record (``paygate.customers.audit``) after it succeeded; a failed
attempt is not recorded, its successful retry is.
"""

from __future__ import annotations

from paygate.core import clock
from paygate.customers import audit
from paygate.customers import service as customers
from paygate.customers.models import Customer
from paygate.merchants.models import Principal
from paygate.payments import erasure as payments_erasure
from paygate.payments.models import Order, Payment, PaymentIntent
from paygate.payments.setup_intent_models import SetupIntent
from paygate.privacy.models import CustomerExport, Erasure
from paygate.refunds.models import Refund
from paygate.vault import payment_methods
from paygate.vault.methods_models import PaymentMethod


def export_customer(principal: Principal, customer_id: str) -> CustomerExport:
    """The customer (deleted or erased too), its payment methods, payments, refunds, orders, payment
    intents and setup intents; 404 for another merchant's or mode's customer."""
    merchant_id, mode = principal.merchant_id, principal.mode
    customer = customers.exportable(customer_id, merchant_id, mode)

    def objects(kind: str) -> list[dict]:
        return payments_erasure.customer_objects(customer_id, merchant_id, mode, kind)

    exported = CustomerExport(
        exported_at=clock.iso_now(),
        customer=Customer.model_validate(customer),
        payment_methods=[
            PaymentMethod.of(i) for i in payment_methods.every_of_customer(customer_id, merchant_id, mode)
        ],
        # a setup intent's card verification is a payment item of its setup intent, not a payment
        payments=[Payment.model_validate(i) for i in objects("payment") if not i.get("setup_intent_id")],
        refunds=[Refund.model_validate(i) for i in objects("refund")],
        orders=[Order.model_validate(i) for i in objects("order")],
        payment_intents=[PaymentIntent.model_validate(i) for i in objects("payment_intent")],
        setup_intents=[SetupIntent.model_validate(i) for i in objects("setup_intent")],
    )
    audit.record(principal, "customer.exported", customer_id)
    return exported


def erase_customer(principal: Principal, customer_id: str) -> Erasure:
    """Erase the customer's personal data: the customer item first (from then on it cannot be charged or
    given a method), then every payment method and its vault card. The payments side follows from the
    ``customer.erased`` event. Idempotent: a repeat (or the retry of a failed attempt) finishes what is
    left and changes nothing else."""
    merchant_id, mode = principal.merchant_id, principal.mode
    erased = customers.erase(customer_id, merchant_id, mode)
    methods = payment_methods.erase_for_customer(customer_id, merchant_id, mode)
    audit.record(principal, "customer.erased", customer_id)
    return Erasure(
        customer=customer_id,
        status=erased.erasure or "pending",
        erased_at=str(erased.erased_at),
        payment_methods_erased=methods,
    )


def audit_of_customer(
    principal: Principal, customer_id: str, limit: int, offset: int
) -> audit.AuditEventList:
    """The customer's audit records, newest first (an erased customer's too); 404 for another merchant's
    or mode's customer."""
    customers.exportable(customer_id, principal.merchant_id, principal.mode)
    return audit.of_customer(principal, customer_id, limit, offset)
