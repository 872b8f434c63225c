"""After every other test of the package (the file name sorts last on purpose): no PAN, CVV, API
secret, processor credential, dashboard password or session token in any DynamoDB item (the vault's
sealed cards included) or in anything the gateway logged."""

from __future__ import annotations

import json
import zlib
from typing import Any

import boto3
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import ADMIN_KEY, SEED_KEY, VISA, Api, card
from tests.integration.gateway.conftest import LogCapture
from tests.integration.gateway.test_connectors import RAZORPAY, STRIPE_KEY, STRIPE_LIVE_KEY, WEBHOOK_SECRET
from tests.integration.gateway.test_dashboard_api import PASSWORDS
from tests.integration.gateway.test_payment_routing import MASTERCARD, RZP_SECRET
from tests.integration.gateway.test_payment_routing import STRIPE_KEY as ROUTED_STRIPE_KEY
from tests.integration.gateway.test_payment_routing import VISA as STRIPE_VISA
from tests.integration.gateway.test_privacy import SAVED_PAN, TYPED_PAN
from tests.integration.gateway.test_routing_api import ROUTING_SECRETS
from tests.integration.gateway.test_wallets import STRIPE_KEY as WALLETS_STRIPE_KEY

PANS = (VISA, STRIPE_VISA, MASTERCARD, "378282246310005", "4111111111111112", SAVED_PAN, TYPED_PAN)
JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}: a session token


def _all_items(gateway: LocalCloud) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name=gateway.region)
    items: list[dict[str, Any]] = []
    tables = [
        gateway.physical(table)
        for table in (
            "Merchants/MerchantsTable",
            "Payments/PaymentsTable",
            "IdempotencyTable",
            "Webhooks/WebhooksTable",
            "Connectors/ConnectorsTable",
            "Vault/VaultTable",
            "Customers/CustomersTable",
            "Risk/RiskTable",
        )
    ]
    # every table of the deployment is scanned: a context's new table cannot slip past this list
    namespace = gateway.physical("Merchants/MerchantsTable").split("-")[0] + "-"
    assert sorted(tables) == sorted(t for t in client.list_tables()["TableNames"] if t.startswith(namespace))
    for table in tables:
        for page in client.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
    for item in items:  # webhook event bodies are stored compressed: scan their text
        if "body_z" in item:
            item["body_z"] = {"S": zlib.decompress(item["body_z"]["B"]).decode()}
        for name, value in item.items():  # other binary values (KMS ciphertexts) scanned byte for byte
            if "B" in value:
                item[name] = {"S": bytes(value["B"]).decode("latin-1")}
    return items


def test_no_pan_cvv_or_api_secret_at_rest_or_in_logs(
    gateway: LocalCloud, api: Api, admin: Api, second_merchant: dict[str, Any], captured_logs: LogCapture
) -> None:
    # Given card payments (one refused for a bad Luhn, one with a 4-digit CVV) on top of the whole suite
    order = api.order()
    api.post("/api/v1/payments", {"order_id": order["id"], **card("4111111111111112", cvv="9876")})
    amex = api.paid(2_000, card("378282246310005", cvv="4321"))
    assert amex["card"]["network"] == "amex"
    secrets = [SEED_KEY[1], ADMIN_KEY, *(k["key_secret"] for k in second_merchant["keys"])]
    # and the processor credentials the connectors tests configured (stored KMS-encrypted only)
    secrets += [STRIPE_KEY, STRIPE_LIVE_KEY, WEBHOOK_SECRET, RAZORPAY["key_secret"]]
    secrets += ROUTING_SECRETS  # and the routing tests' configurations
    secrets += [ROUTED_STRIPE_KEY, RZP_SECRET]  # and those payments were routed with (test_payment_routing)
    secrets.append(WALLETS_STRIPE_KEY)
    # When every stored item and every log line is read
    stored = json.dumps(_all_items(gateway))
    logged = "\n".join(captured_logs.lines)
    assert len(captured_logs.lines) > 20 and "payment processed" in logged  # the capture did capture
    # Then none of them holds a card number, a CVV or an API secret
    for text, where in ((stored, "DynamoDB"), (logged, "logs")):
        for pan in PANS:
            assert pan not in text, f"a PAN in {where}"
        for cvv in ('"9876"', '"4321"'):
            assert cvv not in text, f"a CVV in {where}"
        # no attribute or log field named cvv (ids and secrets are random base62, so match the quoted key)
        assert '"cvv"' not in text, f"a cvv field in {where}"
        for secret in secrets:
            assert secret not in text, f"an API secret in {where}"
        for password in PASSWORDS:
            assert password not in text, f"a dashboard password in {where}"
        assert JWT_HEADER not in text and "paygate_session=" not in text, f"a session token in {where}"
    # and the cards of those payments are in the vault, sealed (scanned above, byte for byte)
    assert '"CARD#card_' in stored and '"ciphertext": {"S": ' in stored
    # and the stored key items hold only hashes, the passwords only argon2id hashes
    assert "APIKEY#" in stored and "key_hashes" in stored
    assert '"password_hash": {"S": "$argon2id$' in stored and "SESSION#" in stored
