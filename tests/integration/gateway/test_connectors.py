"""/api/v1/connectors over HTTP: processor configurations per merchant and mode, credentials encrypted
with the connectors stack's KMS key, write-only, and never in an answer, an item or a log line."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import LogCapture, keys_of

STRIPE_KEY = "sk_test_51Connectorq2Xv9LmN8pQrStUvWx"
STRIPE_LIVE_KEY = "sk_live_51Connectorq2Xv9LmN8pQrStUvWx"
WEBHOOK_SECRET = "whsec_c0nnect0rS3cretF0rTests"
RAZORPAY = {"key_id": "rzp_test_Kx81mQ2pLs9Tzu", "key_secret": "RzpS3cretValue1234567890"}


def _stripe(api: Api, **extra: Any) -> dict[str, Any]:
    body = {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY, "webhook_secret": WEBHOOK_SECRET}}
    return api.created("/api/v1/connectors", {**body, **extra})


def test_a_configuration_keeps_its_credentials_write_only(api: Api) -> None:
    made = _stripe(api, label="main stripe")
    assert made["id"].startswith("mca_") and made["entity"] == "merchant_connector"
    assert (made["connector"], made["mode"], made["enabled"], made["label"]) == (
        "stripe",
        "test",
        True,
        "main stripe",
    )
    assert made["credentials"] == {
        "api_key": "sk_test_..." + STRIPE_KEY[-4:],
        "webhook_secret": "whsec_..." + WEBHOOK_SECRET[-4:],
    }
    assert made["webhook_path"] == f"/api/v1/connectors/stripe/webhooks/{made['id']}"
    for answer in (made, api.get(f"/api/v1/connectors/{made['id']}").json()):
        text = json.dumps(answer)
        assert STRIPE_KEY not in text and WEBHOOK_SECRET not in text
    listed = api.get("/api/v1/connectors", params={"limit": 100}).json()
    assert made["id"] in [c["id"] for c in listed["items"]]


def test_credentials_are_kms_ciphertext_bound_to_the_merchant_mode_and_configuration(
    api: Api, gateway: LocalCloud
) -> None:
    made = _stripe(api)
    item = boto3.client("dynamodb", region_name=gateway.region).get_item(
        TableName=gateway.physical("Connectors/ConnectorsTable"),
        Key={"pk": {"S": made["id"]}, "sk": {"S": "OBJ"}},
    )["Item"]
    blob = item["credentials_blob"]["B"]
    assert STRIPE_KEY.encode() not in blob and STRIPE_KEY not in json.dumps(item, default=str)
    kms = boto3.client("kms", region_name=gateway.region)
    context = {"merchant_id": item["merchant_id"]["S"], "mode": "test", "merchant_connector_id": made["id"]}
    plain = json.loads(kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"])
    assert plain == {"api_key": STRIPE_KEY, "webhook_secret": WEBHOOK_SECRET}
    for other in (
        {**context, "mode": "live"},
        {**context, "merchant_id": "mer_other"},
        {**context, "merchant_connector_id": "mca_x"},
    ):
        with pytest.raises(kms.exceptions.InvalidCiphertextException):
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=other)


def test_update_replaces_and_reencrypts_the_credentials(api: Api) -> None:
    made = api.created("/api/v1/connectors", {"connector": "razorpay", "credentials": RAZORPAY})
    assert made["credentials"] == {
        "key_id": "rzp_test_..." + RAZORPAY["key_id"][-4:],
        "key_secret": "..." + RAZORPAY["key_secret"][-4:],
    }
    changed = api.patch(
        f"/api/v1/connectors/{made['id']}",
        {"enabled": False, "credentials": {**RAZORPAY, "key_secret": "AnotherS3cretValue9876"}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is False and changed.json()["credentials"]["key_secret"] == "...9876"
    nothing = api.patch(f"/api/v1/connectors/{made['id']}", {})
    assert nothing.status_code == 400
    gone = api.session.delete(f"{api.base}/api/v1/connectors/{made['id']}", timeout=10)
    assert gone.status_code == 200 and gone.json()["id"] == made["id"]
    assert api.get(f"/api/v1/connectors/{made['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"connector": "paypal"}, "connector"),
        ({"connector": "stripe"}, "credentials.api_key"),
        ({"connector": "stripe", "credentials": {"api_key": STRIPE_LIVE_KEY}}, "credentials.api_key"),
        ({"connector": "stripe", "credentials": {"api_key": "not-a-key"}}, "credentials.api_key"),
        (
            {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY, "password": "x" * 10}},
            "credentials.password",
        ),
        (
            {
                "connector": "razorpay",
                "credentials": {"key_id": "rzp_live_Kx81mQ2pLs9Tzu", "key_secret": "abcdefgh1"},
            },
            "credentials.key_id",
        ),
        ({"connector": "simulator", "base_url": "ftp://x"}, "base_url"),
        ({"connector": "simulator", "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    before = api.get("/api/v1/connectors", params={"limit": 100}).json()["count"]
    answer = api.post("/api/v1/connectors", body)
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["field"] == field
    assert STRIPE_LIVE_KEY not in answer.text and "abcdefgh1" not in answer.text
    assert api.get("/api/v1/connectors", params={"limit": 100}).json()["count"] == before


def test_another_merchant_and_another_mode_see_none_of_it(
    api: Api, gateway: LocalCloud, second_merchant: dict[str, Any]
) -> None:
    made = _stripe(api)
    for mode in ("test", "live"):
        other = Api.with_key(gateway.url, *keys_of(second_merchant, mode))
        assert made["id"] not in [c["id"] for c in other.get("/api/v1/connectors").json()["items"]]
        assert other.get(f"/api/v1/connectors/{made['id']}").status_code == 404
        assert other.patch(f"/api/v1/connectors/{made['id']}", {"enabled": False}).status_code == 404
        assert (
            other.session.delete(f"{gateway.url}/api/v1/connectors/{made['id']}", timeout=10).status_code
            == 404
        )
    # a live key of the second merchant configures live only, with live credentials only
    live = Api.with_key(gateway.url, *keys_of(second_merchant, "live"))
    refused = live.post("/api/v1/connectors", {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY}})
    assert refused.status_code == 400 and error_of(refused)["field"] == "credentials.api_key"
    mine = live.created(
        "/api/v1/connectors", {"connector": "stripe", "credentials": {"api_key": STRIPE_LIVE_KEY}}
    )
    assert mine["mode"] == "live"
    test_side = Api.with_key(gateway.url, *keys_of(second_merchant, "test"))
    assert mine["id"] not in [c["id"] for c in test_side.get("/api/v1/connectors").json()["items"]]
    assert api.get(f"/api/v1/connectors/{mine['id']}").status_code == 404
    assert api.get(f"/api/v1/connectors/{made['id']}").json()["enabled"] is True  # untouched


def test_no_credential_in_any_log_line(api: Api, captured_logs: LogCapture) -> None:
    _stripe(api)
    api.post("/api/v1/connectors", {"connector": "stripe", "credentials": {"api_key": STRIPE_LIVE_KEY}})
    logged = "\n".join(captured_logs.lines)
    for secret in (STRIPE_KEY, STRIPE_LIVE_KEY, WEBHOOK_SECRET, RAZORPAY["key_secret"]):
        assert secret not in logged


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"credentials": {"api_key": STRIPE_LIVE_KEY}}, "credentials.api_key"),
        ({"credentials": {"key_id": "rzp_test_Kx81mQ2pLs9Tzu"}}, "credentials.key_id"),
        ({"base_url": "gopher://x"}, "base_url"),
        ({"enabled": "sometimes"}, "enabled"),
        ({"connector": "razorpay"}, "connector"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field_and_changes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    made = _stripe(api)
    answer = api.patch(f"/api/v1/connectors/{made['id']}", body)
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["field"] == field
    assert STRIPE_LIVE_KEY not in answer.text
    assert api.get(f"/api/v1/connectors/{made['id']}").json() == made
