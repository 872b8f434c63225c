"""The payments services on moto, for property and concurrency tests that need many fast operations.

The payments table is created from the product template's own definition (no second copy), and
DynamoDB item operations are made atomic as DynamoDB's are (``motopatch.dynamodb_atomicity``), so
threads racing through the services meet the same conditions they would on AWS.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from localcloud.motopatch import dynamodb_atomicity
from moto import mock_aws
from paygate.core import aws, settings
from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantIn, Principal
from paygate.payments import processing, service, store
from paygate.payments.models import MethodIn, OrderIn, PaymentIn
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT

TABLE = "world-payments"
MERCHANTS = "world-merchants"
MERCHANT = Principal(merchant_id="mer_world", mode="test", key_id="key_test_world")
UPI = {"method": "upi", "vpa": "payer@okaxis"}


def _table_definition(logical_id: str) -> dict[str, Any]:
    resources = yaml_parse(PRODUCT.read_text())["Resources"]
    props = dict(resources[logical_id]["Properties"])
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {name: props[name] for name in keep if name in props}


@contextmanager
def payments_world() -> Iterator[None]:
    names = ("PAYMENTS_TABLE", "MERCHANTS_TABLE", "AWS_DEFAULT_REGION")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(PAYMENTS_TABLE=TABLE, MERCHANTS_TABLE=MERCHANTS, AWS_DEFAULT_REGION="us-east-1")
    settings._cache.clear()
    aws._clients.clear()
    with mock_aws(), dynamodb_atomicity():
        boto3.client("dynamodb").create_table(TableName=TABLE, **_table_definition("PaymentsTable"))
        boto3.client("dynamodb").create_table(TableName=MERCHANTS, **_table_definition("MerchantsTable"))
        merchants.create_merchant(
            MerchantIn(name="World Shop", email="world@example.com"), merchant_id=MERCHANT.merchant_id
        )
        try:
            yield
        finally:
            settings._cache.clear()
            aws._clients.clear()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def authorized_order_payment(amount: int) -> dict[str, Any]:
    """An order paid by a payment in ``success`` (the processing outcome recorded)."""
    order = service.create_order(MERCHANT, OrderIn(amount=amount))
    payment = service.create_payment(MERCHANT, PaymentIn(order_id=order.id, **UPI))
    assert processing.record_outcome(store.get(payment.id), True) == "success"
    return store.get(payment.id)


def authorized_intent(amount: int) -> dict[str, Any]:
    """A manual-capture intent in ``requires_capture``; returns the intent item."""
    from paygate.payments import intents
    from paygate.payments.models import IntentIn

    intent = intents.create_intent(MERCHANT, IntentIn(amount=amount, capture_method="manual"))
    intents.confirm_intent(MERCHANT, intent.id, MethodIn(**UPI))
    confirmed = store.get(intent.id)
    assert processing.record_outcome(store.get(confirmed["latest_payment_id"]), True) == "success"
    return store.get(intent.id)
