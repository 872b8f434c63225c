"""The request path of every route, attacked as an outsider and a careless client would: pathological
JSON bodies (never a 500, never a traceback), the body's bytes and media type, Idempotency-Key across
routes and scopes, and HTTP Basic credentials (``curl -u key_id:secret``)."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests
from localcloud.runtime import LocalCloud

from tests.helpers import template_api_routes
from tests.integration.gateway.client import (
    ADMIN_KEY,
    DASHBOARD_HEADER,
    SEED_KEY,
    UPI,
    Api,
    error_of,
)
from tests.integration.gateway.conftest import LogCapture, keys_of

ALL_CREDENTIALS = {
    # every authenticator finds what it takes: merchant keys, the admin key, the dashboard's header
    "X-Api-Key": SEED_KEY[0],
    "X-Api-Secret": SEED_KEY[1],
    "X-Admin-Key": ADMIN_KEY,
    **DASHBOARD_HEADER,
}
# endpoints of these tests subscribe to pings only: no delivery to nowhere runs behind the other tests
QUIET = {"enabled_events": ["ping"]}
PATHOLOGICAL = {
    "deeply nested": "[" * 16_000 + "]" * 16_000,
    "nested objects": '{"a":' * 5_000 + "1" + "}" * 5_000,
    "5000-digit integer": '{"amount": 1' + "0" * 5_000 + "}",
}


def template_routes() -> list[tuple[str, str]]:
    """(METHOD, path with every {param} filled) of every Api event in template.yaml."""
    return sorted(
        {
            (method.upper(), re.sub(r"{\w+}", "x_00000000000000", path))
            for method, path in template_api_routes()
        }
    )


def _send(
    gateway: LocalCloud, method: str, path: str, data: bytes | str, **headers: str
) -> requests.Response:
    return requests.request(
        method,
        gateway.url.rstrip("/") + path,
        data=data.encode() if isinstance(data, str) else data,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def _errors_logged(logs: LogCapture, since: int) -> list[str]:
    return [line for line in logs.lines[since:] if '"levelname": "ERROR"' in line or "Traceback" in line]


# --- item 9: pathological JSON --------------------------------------------------------------------
def test_pathological_bodies_are_400_on_every_route_with_or_without_credentials(
    gateway: LocalCloud, captured_logs: LogCapture
) -> None:
    # Given every route of the template, and the log as it is
    routes = template_routes()
    assert len(routes) > 40
    since = len(captured_logs.lines)
    refused: dict[tuple[str, str, str, bool], int] = {}
    # When each pathological body is sent to each route, with every credential and with none
    for method, path in routes:
        for name, body in PATHOLOGICAL.items():
            for credentials in (ALL_CREDENTIALS, {}):
                response = _send(gateway, method, path, body, **credentials)
                refused[(method, path, name, bool(credentials))] = response.status_code
                # Then never a 5xx: with credentials a 400 naming the body, without them 400 or 401
                assert response.status_code < 500, (method, path, name, response.text)
                error = error_of(response)
                if credentials or response.status_code != 401:
                    assert response.status_code == 400, (method, path, name, response.text)
                    assert error["field"] == "body", (method, path, name, error)
    # and nothing was logged as an error (it was one ERROR with a traceback per request)
    assert _errors_logged(captured_logs, since) == []
    assert len(refused) == len(routes) * len(PATHOLOGICAL) * 2


def test_body_limit_counts_utf8_bytes_not_characters(gateway: LocalCloud, api: Api) -> None:
    # Given a body of 11 000 characters that is 33 000 bytes in UTF-8 ("€" is 3 bytes)
    wide = json.dumps({"amount": 5_000, "receipt": "€" * 11_000}, ensure_ascii=False)
    assert len(wide) < 32 * 1024 < len(wide.encode())
    # When it is sent, with and without credentials
    for credentials in (api.session.headers, {}):
        response = _send(gateway, "POST", "/api/v1/orders", wide, **credentials)
        # Then it is too large, before anything else
        assert response.status_code == 413, response.text
        assert error_of(response)["field"] == "body"
    # and 32 000 bytes of plain ASCII (43 000 in base64 on the way in) is not too large
    narrow = json.dumps({"amount": 5_000, "receipt": "r" * 31_950})
    assert 31_000 < len(narrow.encode()) <= 32 * 1024
    response = _send(gateway, "POST", "/api/v1/orders", narrow, **api.session.headers)
    assert response.status_code == 400 and error_of(response)["field"] == "receipt", response.text


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"amount": 5000, "receipt": "caf\xe9"}', "body"),  # Latin-1, not UTF-8
        (b'{"amount": 5000, "receipt": "\xed\xa0\x80"}', "body"),  # an encoded surrogate
        (b'{"amount": 5000, "receipt": "r\\u0000x"}', "receipt"),  # NUL
        (b'{"amount": 5000, "notes": {"k": "\\ud800"}}', "notes.k"),  # a lone surrogate
        (b'{"amount": 5000, "notes": {"k\\u0000": "v"}}', "notes"),  # NUL in a key
        (b'{"amount": 5000, "amount": 9000}', "amount"),  # the same key twice
        (b'{"amount": 5000, "notes": {"a": "1", "a": "2"}}', "notes.a"),
        (b'{"amount": NaN}', "body"),
        (b'{"amount": 1e400}', "body"),
    ],
)
def test_bytes_strings_and_keys_that_cannot_be_stored_are_400(
    gateway: LocalCloud, api: Api, raw: bytes, field: str
) -> None:
    # Given the merchant's orders as they are
    before = api.get("/api/v1/orders", params={"limit": 1}).json()["items"]
    # When a body with bytes or strings that are not text is posted
    response = _send(gateway, "POST", "/api/v1/orders", raw, **api.session.headers)
    # Then it is refused naming the field (or the body), and no order was created
    assert response.status_code == 400, response.text
    assert error_of(response)["field"] == field
    assert api.get("/api/v1/orders", params={"limit": 1}).json()["items"] == before


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("APPLICATION/JSON", 201),
        ('Application/Json; Charset="UTF-8"', 201),
        ("application/json; charset=utf-16", 415),
        ("application/json; charset=iso-8859-1", 415),
    ],
)
def test_media_type_is_case_insensitive_and_utf8_only(
    gateway: LocalCloud, api: Api, content_type: str, status: int
) -> None:
    headers = {**api.session.headers, "Content-Type": content_type}
    response = _send(gateway, "POST", "/api/v1/orders", '{"amount": 5000}', **headers)
    assert response.status_code == status, response.text
    if status != 201:
        error = error_of(response)
        assert (error["code"], error["field"]) == ("UNSUPPORTED_MEDIA_TYPE", "body")


# --- item 11: Idempotency-Key on every creating route, one route per key ---------------------------
@pytest.fixture(scope="module")
def shop(admin: Api, gateway: LocalCloud) -> dict[str, Api]:
    """A merchant of its own (its webhook endpoints count against its own cap): test and live keys."""
    created = admin.created(
        "/api/v1/admin/merchants",
        {"name": "Hardening Shop", "email": f"hard-{uuid.uuid4().hex[:8]}@example.com"},
    )
    return {mode: Api.with_key(gateway.url, *keys_of(created, mode)) for mode in ("test", "live")}


def _retrying_409(post: Callable[[], requests.Response]) -> requests.Response:
    """What a client does with 409 IDEMPOTENCY_REQUEST_IN_PROGRESS: try again shortly."""
    for _ in range(200):
        response = post()
        if response.status_code != 409:
            return response
        assert error_of(response)["code"] == "IDEMPOTENCY_REQUEST_IN_PROGRESS", response.text
        time.sleep(0.05)
    raise AssertionError("still in progress after 200 tries")


def _endpoint_ids(api: Api) -> set[str]:
    return {e["id"] for e in api.get("/api/v1/webhook_endpoints", params={"limit": 100}).json()["items"]}


def test_webhook_endpoint_twice_with_one_key_is_one_endpoint(shop: dict[str, Api]) -> None:
    # Given the merchant's endpoints and one Idempotency-Key
    api = shop["test"]
    before = _endpoint_ids(api)
    key = f"we-{uuid.uuid4()}"
    body = {"url": "http://127.0.0.1:9/hook", "description": "twice", **QUIET}
    # When the same create is sent twice with it
    first = api.post("/api/v1/webhook_endpoints", body, headers={"Idempotency-Key": key})
    again = api.post("/api/v1/webhook_endpoints", body, headers={"Idempotency-Key": key})
    # Then the second answer is the first (its secret too), marked as a replay, and one endpoint exists
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first.headers
    assert _endpoint_ids(api) - before == {first.json()["id"]}


def test_merchant_twice_with_one_key_is_one_merchant_and_no_secret_is_kept(
    admin: Api, gateway: LocalCloud
) -> None:
    # Given one Idempotency-Key for a new merchant
    key = f"mer-{uuid.uuid4()}"
    body = {"name": "Once Shop", "email": f"once-{uuid.uuid4().hex[:8]}@example.com"}
    # When the platform admin sends the create twice with it
    first = admin.post("/api/v1/admin/merchants", body, headers={"Idempotency-Key": key})
    again = admin.post("/api/v1/admin/merchants", body, headers={"Idempotency-Key": key})
    # Then both answers are the same merchant (the second no longer a 409 for its email)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    # and the replay is the merchant without the credentials shown once: its API key secrets are kept
    # nowhere in clear, the idempotency record included
    secrets = [k["key_secret"] for k in first.json()["keys"]]
    assert all(secrets) and "keys" not in again.json() and "webhook_secret" not in again.json()
    assert again.json() == {k: v for k, v in first.json().items() if k in again.json()}
    client = boto3.client("dynamodb", region_name=gateway.region)
    stored = json.dumps(client.scan(TableName=gateway.physical("IdempotencyTable"))["Items"])
    assert not any(secret in stored for secret in secrets)
    # and the secrets shown once work
    test_key = next(k for k in first.json()["keys"] if k["mode"] == "test")
    assert Api.with_key(gateway.url, test_key["key_id"], test_key["key_secret"]).get("/api/v1/orders").ok


def test_a_key_is_one_request_per_scope_whatever_the_route(
    shop: dict[str, Api], admin: Api, gateway: LocalCloud
) -> None:
    api, live = shop["test"], shop["live"]
    key = f"cross-{uuid.uuid4()}"
    # Given a request the service refused with a key (no such order): it does not bind the key
    missing = api.post(
        "/api/v1/payments", {"order_id": "order_00000000000000", **UPI}, headers={"Idempotency-Key": key}
    )
    assert missing.status_code == 404
    # and the key then used to create an order
    order = api.post("/api/v1/orders", {"amount": 5_000}, headers={"Idempotency-Key": key})
    assert order.status_code == 201, order.text
    # When the same key is sent to other creating routes of the same merchant and mode
    answers = [
        api.post("/api/v1/payment_intents", {"amount": 5_000}, headers={"Idempotency-Key": key}),
        api.post(
            "/api/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/x"}, headers={"Idempotency-Key": key}
        ),
    ]
    # Then each is refused naming the header, and nothing was created
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert error_of(answer)["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert error_of(answer)["field"] == "Idempotency-Key"
    assert api.get("/api/v1/payment_intents").json()["items"] == []
    # and in scopes of their own the key is a request of its own: live mode, the checkout's
    # public#<order>, the platform admin
    others = [
        live.post("/api/v1/payment_intents", {"amount": 5_000}, headers={"Idempotency-Key": key}),
        requests.post(
            f"{gateway.url}/api/v1/payments/public",
            json={"order_id": order.json()["id"], **UPI},
            headers={"Idempotency-Key": key},
            timeout=30,
        ),
        admin.post(
            "/api/v1/admin/merchants",
            {"name": "Scope Shop", "email": f"scope-{uuid.uuid4().hex[:8]}@example.com"},
            headers={"Idempotency-Key": key},
        ),
    ]
    assert [r.status_code for r in others] == [201] * 3, [r.text for r in others]


def test_webhook_endpoint_run_again_after_its_record_is_lost_answers_the_first(
    shop: dict[str, Api], gateway: LocalCloud
) -> None:
    # Given an endpoint made with a key, and its idempotency record lost (a timeout after the write)
    api = shop["test"]
    before = _endpoint_ids(api)
    key = f"we-lost-{uuid.uuid4()}"
    body = {"url": "http://127.0.0.1:9/lost", **QUIET}
    first = api.post("/api/v1/webhook_endpoints", body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    dynamodb = boto3.client("dynamodb", region_name=gateway.region)
    table = gateway.physical("IdempotencyTable")
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
    # When the merchant retries with the key
    again = api.post("/api/v1/webhook_endpoints", body, headers={"Idempotency-Key": key})
    # Then the create ran again with the same ids and answers the stored endpoint, secret included
    assert again.status_code == 201, again.text
    assert _endpoint_ids(api) - before == {first.json()["id"]}
    assert again.json() == first.json()


def test_concurrent_creates_with_one_key_make_one_object(shop: dict[str, Api], admin: Api) -> None:
    # Given one key per route, and the merchant's endpoints as they are
    api = shop["test"]
    before = _endpoint_ids(api)
    endpoint_key, merchant_key = f"we-{uuid.uuid4()}", f"mer-{uuid.uuid4()}"
    endpoint = {"url": "http://127.0.0.1:9/race", **QUIET}
    merchant = {"name": "Race Shop", "email": f"race-{uuid.uuid4().hex[:8]}@example.com"}

    def create_endpoint(_: int) -> requests.Response:
        return _retrying_409(
            lambda: api.post("/api/v1/webhook_endpoints", endpoint, headers={"Idempotency-Key": endpoint_key})
        )

    def create_merchant(_: int) -> requests.Response:
        return _retrying_409(
            lambda: admin.post("/api/v1/admin/merchants", merchant, headers={"Idempotency-Key": merchant_key})
        )

    # When ten threads send each create at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        endpoints = list(pool.map(create_endpoint, range(10)))
        merchants = list(pool.map(create_merchant, range(10)))
    # Then every answer is the same object, and one object exists
    assert {r.status_code for r in endpoints + merchants} == {201}, [r.text for r in endpoints + merchants]
    assert len({r.json()["id"] for r in endpoints}) == 1
    assert _endpoint_ids(api) - before == {endpoints[0].json()["id"]}
    assert len({r.json()["id"] for r in merchants}) == 1
    # (the one request that created the merchant showed its key secrets; the replays do not)
    assert sum("keys" in r.json() for r in merchants) == 1


def test_two_routes_racing_for_one_key_only_one_runs(shop: dict[str, Api]) -> None:
    # Given one key, and the merchant's intents as they are
    api = shop["test"]
    key = f"race-{uuid.uuid4()}"
    intents_before = len(api.get("/api/v1/payment_intents", params={"limit": 100}).json()["items"])
    routes = ["/api/v1/orders", "/api/v1/payment_intents"] * 8

    def create(path: str) -> tuple[str, requests.Response]:
        return path, _retrying_409(
            lambda: api.post(path, {"amount": 7_000}, headers={"Idempotency-Key": key})
        )

    # When sixteen threads send it to two routes at once
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(create, routes))
    # Then one route won every answer it got; the other route's answers are all 422
    won = {path for path, r in answers if r.status_code == 201}
    assert len(won) == 1, [(p, r.status_code) for p, r in answers]
    for path, response in answers:
        assert response.status_code == (201 if path in won else 422), response.text
    assert len({r.json()["id"] for p, r in answers if p in won}) == 1
    intents_after = len(api.get("/api/v1/payment_intents", params={"limit": 100}).json()["items"])
    assert intents_after - intents_before == (1 if "/api/v1/payment_intents" in won else 0)


# --- item 13: HTTP Basic --------------------------------------------------------------------------
def _basic(text: str | bytes) -> dict[str, str]:
    raw = text.encode() if isinstance(text, str) else text
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def test_curl_dash_u_works_on_a_get_and_a_post(gateway: LocalCloud) -> None:
    # Given the seeded key as curl -u key_id:secret sends it, and as Stripe's -u secret: does
    for auth in (SEED_KEY, (SEED_KEY[1], "")):
        basic = Api(gateway.url)
        basic.session.auth = auth
        # When it creates and reads an order
        created = basic.post("/api/v1/orders", {"amount": 5_000})
        assert created.status_code == 201, created.text
        fetched = basic.get(f"/api/v1/orders/{created.json()['id']}")
        # Then both work as the seeded merchant's test mode
        assert fetched.status_code == 200 and fetched.json()["id"] == created.json()["id"]
        assert basic.get("/api/v1/orders", params={"limit": 1}).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        _basic(f"{SEED_KEY[0]}:wrong_secret"),
        _basic(f"key_test_someoneelse1:{SEED_KEY[1]}"),  # a secret with another key's id
        _basic(f"{SEED_KEY[0]}:"),  # a key id alone is no secret
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": "Basic " + "A" * 5},  # bad padding
        _basic(b"\xff\xfe:\xfd"),  # not UTF-8
        _basic("no-colon-at-all"),
        _basic(f":{SEED_KEY[1]}"),  # no user
        {"Authorization": "Basic"},
    ],
)
def test_wrong_or_malformed_basic_is_401_with_a_challenge(gateway: LocalCloud, authorization: dict) -> None:
    response = requests.get(f"{gateway.url}/api/v1/orders", headers=authorization, timeout=30)
    assert response.status_code == 401, response.text
    assert error_of(response)["code"] == "UNAUTHORIZED"
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith('Basic realm="paygate"') and 'Bearer realm="paygate"' in challenge


def test_challenges_follow_the_route_and_the_caller(gateway: LocalCloud) -> None:
    base = gateway.url.rstrip("/")
    # merchant routes: Basic and Bearer; with no credentials at all too
    anonymous = requests.post(f"{base}/api/v1/orders", json={"amount": 5_000}, timeout=30)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith('Basic realm="paygate"')
    # the dashboard's own requests: no Basic challenge (a browser would open its login dialog)
    dashboard = requests.get(f"{base}/api/v1/orders", headers=DASHBOARD_HEADER, timeout=30)
    assert dashboard.status_code == 401 and dashboard.headers["WWW-Authenticate"] == 'Bearer realm="paygate"'
    # admin routes keep Bearer only
    not_admin = requests.get(f"{base}/api/v1/admin/merchants", headers=_basic(f"{SEED_KEY[0]}:x"), timeout=30)
    assert (
        not_admin.status_code == 401
        and not_admin.headers["WWW-Authenticate"] == 'Bearer realm="paygate-admin"'
    )


def test_basic_with_a_test_key_sees_no_live_data(shop: dict[str, Api], gateway: LocalCloud) -> None:
    # Given a live order of a merchant that has a test and a live key
    live_order = shop["live"].order(6_000)
    test_key = shop["test"].session.headers["X-Api-Key"], shop["test"].session.headers["X-Api-Secret"]
    basic = Api(gateway.url)
    basic.session.auth = test_key
    # When its test key, sent as HTTP Basic, looks for it
    listed = basic.get("/api/v1/orders", params={"limit": 100})
    fetched = basic.get(f"/api/v1/orders/{live_order['id']}")
    # Then it is not there: test mode only
    assert listed.status_code == 200 and live_order["id"] not in {o["id"] for o in listed.json()["items"]}
    assert fetched.status_code == 404
    # and the live key as Basic finds it
    live = Api(gateway.url)
    live.session.auth = (
        shop["live"].session.headers["X-Api-Key"],
        shop["live"].session.headers["X-Api-Secret"],
    )
    assert live.get(f"/api/v1/orders/{live_order['id']}").status_code == 200
