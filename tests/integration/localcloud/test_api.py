"""API Gateway REST proxy: routing, the proxy event, the Lambda context, response mapping, errors."""

from __future__ import annotations

import base64

import requests
from localcloud.runtime import LocalCloud


def test_path_parameter_route_gets_a_full_proxy_event(cloud: LocalCloud) -> None:
    response = requests.get(
        f"{cloud.url}/items/42?tag=a&tag=b&q=x", headers={"X-Custom": "1", "User-Agent": "pytest"}, timeout=10
    )
    assert response.status_code == 200
    event = response.json()
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["method"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["query"] == {"tag": "b", "q": "x"}  # API Gateway keeps the last value
    assert event["multiQuery"] == {"tag": ["a", "b"], "q": ["x"]}
    assert event["headers"]["X-Custom"] == "1"
    assert event["multiHeaders"]["X-Custom"] == ["1"]
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/items/{id}"
    assert context["httpMethod"] == "GET"
    assert context["stage"] == "Prod"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "pytest"
    assert len(context["requestId"]) == 36
    assert response.headers["x-amzn-RequestId"] == context["requestId"]


def test_lambda_context_names_the_function_and_counts_down(cloud: LocalCloud) -> None:
    context = requests.get(f"{cloud.url}/items/1", timeout=10).json()["context"]
    assert context["function_name"] == "lct-Echo"
    assert context["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:lct-Echo"
    assert context["memory_limit_in_mb"] == "256"
    assert 4000 < context["remaining_ms"] <= 5000  # Timeout: 5 in the template's Globals


def test_literal_resource_beats_a_parameter_and_greedy_proxy_takes_the_rest(cloud: LocalCloud) -> None:
    special = requests.get(f"{cloud.url}/items/special", timeout=10).json()
    assert special["resource"] == "/items/special" and special["pathParameters"] is None
    greedy = requests.delete(f"{cloud.url}/files/a/b/c.txt", timeout=10).json()
    assert greedy["resource"] == "/files/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "a/b/c.txt"}
    assert greedy["method"] == "DELETE"  # ANY method


def test_post_body_status_and_multi_value_response_headers(cloud: LocalCloud) -> None:
    response = requests.post(f"{cloud.url}/items/7", json={"amount": 100}, timeout=10)
    assert response.status_code == 201
    assert response.headers["X-Echo"] == "yes"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.json()["body"] == '{"amount": 100}'


def test_binary_media_type_arrives_base64_encoded(cloud: LocalCloud) -> None:
    payload = bytes(range(256))
    event = requests.post(
        f"{cloud.url}/items/9", data=payload, headers={"Content-Type": "application/octet-stream"}, timeout=10
    ).json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_unknown_route_and_unknown_method_answer_like_api_gateway(cloud: LocalCloud) -> None:
    for response in (
        requests.get(f"{cloud.url}/nothing/here", timeout=10),
        requests.delete(f"{cloud.url}/items/1", timeout=10),  # resource exists, method does not
    ):
        assert response.status_code == 403
        assert response.json() == {"message": "Missing Authentication Token"}
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_handler_exception_is_a_502_and_its_traceback_is_logged(cloud: LocalCloud, caplog) -> None:
    response = requests.get(f"{cloud.url}/boom", timeout=10)
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    errors = [r for r in caplog.records if r.name == "localcloud" and r.getMessage() == "function error"]
    assert errors, "the failure was not logged"
    record = errors[-1]
    assert record.function == "lct-Boom"
    assert record.errorType == "KaboomError"
    assert record.errorMessage == "the handler blew up on purpose"
    assert any("boom/app.py" in frame and "raise KaboomError" in frame for frame in record.stackTrace)


def test_malformed_proxy_response_is_a_502(cloud: LocalCloud) -> None:
    response = requests.get(f"{cloud.url}/malformed", timeout=10)
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
