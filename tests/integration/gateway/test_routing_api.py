"""/api/v1/routing over HTTP: a merchant's routing rules per mode (read, replace on a version, empty),
the dry run that shows where a payment would go and why, and a routed connector configuration that
cannot be deleted. Two merchants of this module's own (the seeded one keeps no routing)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import Api, error_of
from tests.integration.gateway.conftest import keys_of

STRIPE = {"connector": "stripe", "credentials": {"api_key": "sk_test_51RoutingA2Xv9LmN8pQrStUv"}}
STRIPE_LIVE = {"connector": "stripe", "credentials": {"api_key": "sk_live_51RoutingA2Xv9LmN8pQrStUv"}}
RAZORPAY = {
    "connector": "razorpay",
    "credentials": {"key_id": "rzp_test_Rt81mQ2pLs9Tzu", "key_secret": "RtS3cret12345678"},
}
# for the secret scan (test_zz_secret_scan): stored KMS-encrypted only, never in an answer or a log line
ROUTING_SECRETS = [
    STRIPE["credentials"]["api_key"],
    STRIPE_LIVE["credentials"]["api_key"],
    RAZORPAY["credentials"]["key_secret"],
]


@dataclass(frozen=True)
class Shop:
    test: Api
    live: Api
    stripe: str  # mca_ ids of its test configurations
    razorpay: str
    live_stripe: str


def _shop(admin: Api, gateway: LocalCloud, name: str) -> Shop:
    made = admin.created("/api/v1/admin/merchants", {"name": name, "email": f"{name.lower()}@example.com"})
    test = Api.with_key(gateway.url, *keys_of(made, "test"))
    live = Api.with_key(gateway.url, *keys_of(made, "live"))
    return Shop(
        test=test,
        live=live,
        stripe=test.created("/api/v1/connectors", STRIPE)["id"],
        razorpay=test.created("/api/v1/connectors", RAZORPAY)["id"],
        live_stripe=live.created("/api/v1/connectors", STRIPE_LIVE)["id"],
    )


@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud) -> Shop:
    return _shop(admin, gateway, "RoutingShop")


@pytest.fixture(scope="module")
def other(admin: Api, gateway: LocalCloud) -> Shop:
    return _shop(admin, gateway, "RoutingOther")


def _put(api: Api, body: Any, **headers: str) -> requests.Response:
    return api.session.put(f"{api.base}/api/v1/routing", json=body, headers=headers, timeout=30)


def _delete(api: Api, path: str, **params: Any) -> requests.Response:
    return api.session.delete(f"{api.base}{path}", params=params, timeout=30)


def _config(shop: Shop) -> dict[str, Any]:
    """UPI to Razorpay; Visa in INR from 100.00 below 5000.00 to Stripe then Razorpay; else a 70/30 split."""
    return {
        "rules": [
            {"name": "UPI", "conditions": {"methods": ["upi"]}, "action": _priority(shop.razorpay)},
            {
                "name": "Visa INR",
                "conditions": {
                    "methods": ["card"],
                    "networks": ["visa"],
                    "currencies": ["INR"],
                    "amount": {"min": 10_000, "max": 500_000},
                },
                "action": _priority(shop.stripe, shop.razorpay),
            },
        ],
        "default": {
            "type": "volume_split",
            "split": [{"connector": shop.stripe, "weight": 70}, {"connector": shop.razorpay, "weight": 30}],
        },
    }


def _priority(*ids: str) -> dict[str, Any]:
    return {"type": "priority", "connectors": list(ids)}


def _stored(api: Api) -> dict[str, Any]:
    answer = api.get("/api/v1/routing")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_round_trip_versions_idempotency_and_delete(shop: Shop) -> None:
    # Given: nothing set: version 0, every payment on the built-in simulator
    empty = _stored(shop.test)
    assert (empty["rules"], empty["default"], empty["version"], empty["fallback"]) == (
        [],
        None,
        0,
        "simulator",
    )
    assert (empty["mode"], empty["updated_at"]) == ("test", None)
    # When: set, then read back
    config = _config(shop)
    first = _put(shop.test, config)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1 and first.json()["fallback"] == "default"
    assert _stored(shop.test) == first.json()
    assert first.json()["rules"][1]["conditions"]["amount"] == {"min": 10_000, "max": 500_000}
    # Then: an edit from a version that is no longer stored is a 409 and changes nothing
    stale = _put(shop.test, {**config, "default": None, "expected_version": 0})
    assert stale.status_code == 409 and error_of(stale)["field"] == "expected_version", stale.text
    assert _stored(shop.test)["version"] == 1
    second = _put(shop.test, {**config, "default": None, "expected_version": 1})
    assert second.status_code == 200 and second.json()["version"] == 2, second.text
    assert second.json()["fallback"] == "simulator"
    # Idempotency-Key: a retry answers the first result (not a 409 on the version it moved)
    body = {**config, "expected_version": 2}
    third = _put(shop.test, body, **{"Idempotency-Key": "routing-edit-3"})
    again = _put(shop.test, body, **{"Idempotency-Key": "routing-edit-3"})
    assert third.status_code == again.status_code == 200, again.text
    assert again.json() == third.json() and third.json()["version"] == 3
    assert again.headers.get("Idempotent-Replayed") == "true"
    reused = _put(shop.test, {**body, "default": None}, **{"Idempotency-Key": "routing-edit-3"})
    assert reused.status_code == 422, reused.text
    assert _stored(shop.test)["version"] == 3
    # DELETE: back to the simulator as a new version (a version never names two rule sets)
    stale_delete = _delete(shop.test, "/api/v1/routing", expected_version=2)
    assert stale_delete.status_code == 409 and error_of(stale_delete)["field"] == "expected_version"
    emptied = _delete(shop.test, "/api/v1/routing", expected_version=3)
    assert emptied.status_code == 200, emptied.text
    assert (emptied.json()["rules"], emptied.json()["default"], emptied.json()["version"]) == ([], None, 4)
    assert emptied.json()["fallback"] == "simulator" and _stored(shop.test) == emptied.json()
    assert _delete(shop.test, "/api/v1/routing").json()["version"] == 4  # already empty: nothing written
    assert _put(shop.test, {**config, "expected_version": 4}).json()["version"] == 5


@pytest.mark.parametrize(
    ("make_body", "field"),
    [
        (lambda s: {"rules": [{"action": _priority("stripe")}]}, "rules[0].action.connectors[0]"),
        (lambda s: {"rules": [{"action": _priority(s.stripe, s.stripe)}]}, "rules[0].action.connectors[1]"),
        (
            lambda s: {"default": {"type": "volume_split", "split": [{"connector": s.stripe, "weight": 90}]}},
            "default.split",
        ),
        (
            lambda s: {"rules": [{"conditions": {"currencies": ["inr"]}, "action": _priority(s.stripe)}]},
            "rules[0].conditions.currencies[0]",
        ),
        (
            lambda s: {
                "rules": [
                    {"action": _priority(s.stripe)},
                    {"conditions": {"amount": {"min": 100}}, "action": _priority(s.stripe)},
                ]
            },
            "rules[1].conditions.amount",
        ),
        (lambda s: {"rules": [{"action": {"type": "random", "connectors": [s.stripe]}}]}, "rules[0].action"),
        (lambda s: {"rules": [], "colour": "blue"}, "colour"),
        (lambda s: {"rules": [], "expected_version": "1"}, "expected_version"),
        (lambda s: {"rules": [{"name": "n" * 65, "action": _priority(s.stripe)}]}, "rules[0].name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    shop: Shop, make_body: Any, field: str
) -> None:
    before = _stored(shop.test)
    answer = _put(shop.test, make_body(shop))
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["field"] == field, answer.text
    assert _stored(shop.test) == before


def test_rules_name_only_this_merchants_configurations_in_this_mode(shop: Shop, other: Shop) -> None:
    before = _stored(shop.test)
    # another merchant's configuration, then this merchant's live one named from a test key
    for action_at, config in [
        (
            "rules[1].action.connectors[0]",
            {"rules": [{"action": _priority(shop.stripe)}, {"action": _priority(other.stripe)}]},
        ),
        (
            "default.split[1].connector",
            {
                "default": {
                    "type": "volume_split",
                    "split": [
                        {"connector": shop.stripe, "weight": 50},
                        {"connector": shop.live_stripe, "weight": 50},
                    ],
                }
            },
        ),
    ]:
        answer = _put(shop.test, config)
        assert answer.status_code == 400 and error_of(answer)["field"] == action_at, answer.text
    assert _stored(shop.test) == before
    # and the live key cannot name a test configuration
    answer = _put(shop.live, {"default": _priority(shop.stripe)})
    assert answer.status_code == 400 and error_of(answer)["field"] == "default.connectors[0]"


def test_tenants_and_modes_never_see_or_change_each_others_routing(shop: Shop, other: Shop) -> None:
    # Given: a test and a live configuration of the same merchant
    test_config = _put(shop.test, {"default": _priority(shop.stripe, shop.razorpay)}).json()
    live_config = _put(shop.live, {"default": _priority(shop.live_stripe)})
    assert live_config.status_code == 200, live_config.text
    live = live_config.json()
    assert live["mode"] == "live" and live["default"]["connectors"] == [shop.live_stripe]
    # Then: each key reads its own mode's only; another merchant reads and changes only its own
    assert _stored(shop.test) == test_config and _stored(shop.live) == live
    assert _stored(other.test)["version"] == 0 and _stored(other.live)["version"] == 0
    assert _put(other.test, {"default": _priority(other.stripe)}).status_code == 200
    assert _delete(other.test, "/api/v1/routing").status_code == 200
    assert _delete(shop.test, "/api/v1/routing").status_code == 200  # a test key empties test only
    assert _stored(shop.live) == live
    # a dry run with the live key routes over the live configuration
    evaluated = shop.live.post(
        "/api/v1/routing/evaluate", {"method": "card", "currency": "USD", "amount": 500}
    )
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json()["candidates"] == [shop.live_stripe]
    assert evaluated.json()["trace"]["config_version"] == live["version"]
    # another merchant's dry run sees none of it: no configuration, the simulator
    theirs = other.live.post("/api/v1/routing/evaluate", {"method": "card", "currency": "USD", "amount": 500})
    assert theirs.json()["candidates"] == ["simulator"] and theirs.json()["trace"]["source"] == "simulator"


def _breaker(gateway: LocalCloud, mca: str, opened_seconds_ago: float) -> dict[str, Any]:
    """An open circuit breaker item for ``mca`` (as breaker.py writes it), opened that long ago."""
    item = {
        "pk": {"S": f"BREAKER#{mca}"},
        "sk": {"S": "STATE"},
        "type": {"S": "circuit_breaker"},
        "state": {"S": "open"},
        "version": {"N": "7"},
        "opened_at_ms": {"N": str(int((time.time() - opened_seconds_ago) * 1000))},
        "open_reason": {"S": "5 consecutive processor errors"},
        "opens": {"N": "1"},
        "connector_id": {"S": mca},
    }
    boto3.client("dynamodb", region_name=gateway.region).put_item(
        TableName=gateway.physical("Connectors/ConnectorsTable"), Item=item
    )
    return item


def test_evaluate_explains_the_rule_skips_what_is_unusable_and_writes_nothing(
    shop: Shop, gateway: LocalCloud
) -> None:
    # Given: the rules above; Stripe disabled
    stored = _put(shop.test, _config(shop)).json()
    assert shop.test.patch(f"/api/v1/connectors/{shop.stripe}", {"enabled": False}).status_code == 200
    visa = {"method": "card", "network": "visa", "currency": "INR", "amount": 250_000}
    try:
        # When: a 2,500.00 INR Visa payment is evaluated
        answer = shop.test.post("/api/v1/routing/evaluate", visa)
        assert answer.status_code == 200, answer.text
        decision = answer.json()
        trace = decision["trace"]
        # Then: rule 1 matched, rule 0 skipped with its reason, Stripe skipped as disabled
        assert decision["candidates"] == [shop.razorpay]
        assert (trace["source"], trace["rule"]["index"], trace["rule"]["name"]) == ("rule", 1, "Visa INR")
        assert trace["rules_skipped"] == [{"index": 0, "name": "UPI", "reason": "method card is not upi"}]
        assert trace["config_version"] == stored["version"]
        fates = {c["id"]: (c["outcome"], c["reason"], c["connector"]) for c in trace["connectors"]}
        assert fates[shop.stripe] == ("skipped", "disabled", "stripe")
        assert fates[shop.razorpay][0] == "chosen" and fates[shop.razorpay][2] == "razorpay"
        assert "rule 1 (Visa INR) matched: card, visa, INR, 100.00-5000.00" in trace["steps"]
    finally:
        shop.test.patch(f"/api/v1/connectors/{shop.stripe}", {"enabled": True})
    # a circuit open within its cool-down is skipped with the breaker's reason
    _breaker(gateway, shop.stripe, opened_seconds_ago=1)
    fates = {
        c["id"]: c for c in shop.test.post("/api/v1/routing/evaluate", visa).json()["trace"]["connectors"]
    }
    assert fates[shop.stripe]["outcome"] == "skipped"
    assert fates[shop.stripe]["reason"].startswith("circuit open since ")
    # past the cool-down it would let the next call through as its probe, but the dry run claims none
    item = _breaker(gateway, shop.stripe, opened_seconds_ago=3600)
    decision = shop.test.post("/api/v1/routing/evaluate", visa).json()
    assert decision["candidates"] == [shop.stripe, shop.razorpay]
    assert "half-open probe" in decision["trace"]["connectors"][0]["reason"]
    table = boto3.client("dynamodb", region_name=gateway.region)
    after = table.get_item(
        TableName=gateway.physical("Connectors/ConnectorsTable"), Key={"pk": item["pk"], "sk": item["sk"]}
    )
    assert after["Item"] == item  # still open, same version: no probe claimed
    table.delete_item(
        TableName=gateway.physical("Connectors/ConnectorsTable"), Key={"pk": item["pk"], "sk": item["sk"]}
    )
    # a volume split draws from the attempt key: the same key, the same first choice, every time
    usd = {"method": "wallet", "currency": "USD", "amount": 1000, "attempt_key": "pay_SplitKey000001"}
    draws = [shop.test.post("/api/v1/routing/evaluate", usd).json() for _ in range(2)]
    assert draws[0] == draws[1] and draws[0]["attempt_key"] == usd["attempt_key"]
    assert draws[0]["trace"]["source"] == "default" and draws[0]["trace"]["split"]["bucket"] in range(100)
    generated = shop.test.post("/api/v1/routing/evaluate", {**usd, "attempt_key": None}).json()
    assert generated["attempt_key"].startswith("eval_")
    # bad facts are a 400 naming the field
    for facts, field in [
        ({**visa, "method": "upi"}, "network"),
        ({**visa, "amount": "100"}, "amount"),
        ({**visa, "currency": "rupees"}, "currency"),
        ({**visa, "method": "cheque", "network": None}, "method"),
    ]:
        refused = shop.test.post("/api/v1/routing/evaluate", facts)
        assert refused.status_code == 400 and error_of(refused)["field"] == field, refused.text
    assert _stored(shop.test) == stored  # a dry run writes nothing


def test_a_configuration_the_routing_names_cannot_be_deleted(shop: Shop) -> None:
    stored = _put(shop.test, _config(shop)).json()
    refused = _delete(shop.test, f"/api/v1/connectors/{shop.razorpay}")
    assert refused.status_code == 409, refused.text
    assert error_of(refused)["field"] == "rules[0].action.connectors[0]"
    assert shop.test.get(f"/api/v1/connectors/{shop.razorpay}").status_code == 200
    # disabling is fine: routing skips it and says so
    assert shop.test.patch(f"/api/v1/connectors/{shop.razorpay}", {"enabled": False}).status_code == 200
    # once the routing no longer names it, it can go
    assert (
        _put(
            shop.test, {"default": _priority(shop.stripe), "expected_version": stored["version"]}
        ).status_code
        == 200
    )
    assert _delete(shop.test, f"/api/v1/connectors/{shop.razorpay}").status_code == 200
