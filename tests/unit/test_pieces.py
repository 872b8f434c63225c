"""Pure pieces of localcloud: cron conversion, batch item failures, route precedence, intrinsics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from croniter import croniter
from localcloud.apigateway import ApiGateway, Route
from localcloud.eventsources import item_failures
from localcloud.intrinsics import Resolver
from localcloud.provision import RestApi
from localcloud.schedules import aws_cron_to_croniter


@pytest.mark.parametrize(
    ("aws", "expected"),
    [
        ("0 12 * * ? *", "0 12 * * *"),
        ("15 10 ? * 6L 2026", "15 10 * * L5"),
        ("0 8 ? * 2-6 *", "0 8 * * 1-5"),
        ("0 8 ? * 2#1,MON *", "0 8 * * 1#1,MON"),
        ("0 0 L * ? *", "0 0 L * *"),
        ("0/5 * * * ? *", "0/5 * * * *"),
    ],
)
def test_aws_cron_becomes_croniter(aws: str, expected: str) -> None:
    assert aws_cron_to_croniter(aws) == expected


def test_weekday_cron_fires_on_the_right_day() -> None:
    start = datetime(2026, 11, 22, tzinfo=UTC)  # a Sunday
    following = croniter(aws_cron_to_croniter("0 8 ? * 2 *"), start).get_next(datetime)
    assert following == datetime(2026, 11, 23, 8, tzinfo=UTC)  # 2 = Monday in AWS cron


def test_item_failures_follow_the_lambda_contract() -> None:
    ids = {"a", "b"}
    assert item_failures(None, ids) == set()
    assert item_failures({"batchItemFailures": []}, ids) == set()
    assert item_failures({"batchItemFailures": [{"itemIdentifier": "b"}]}, ids) == {"b"}
    # an unknown, empty or missing identifier fails the whole batch, as on AWS
    assert item_failures({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, ids) is None
    assert item_failures({"batchItemFailures": [{"itemIdentifier": ""}]}, ids) is None
    assert item_failures({"batchItemFailures": [{}]}, ids) is None
    assert item_failures({"batchItemFailures": "b"}, ids) is None


def _gateway(*resources: tuple[str, str]) -> ApiGateway:
    api = RestApi("Api", "abc123", {})
    routes = [
        Route(api, resource, method, None, tuple(s for s in resource.split("/") if s))  # type: ignore[arg-type]
        for resource, method in resources
    ]
    routes.sort(key=lambda r: (r.rank(), r.method == "ANY"))
    return ApiGateway(routes, "us-east-1")


def test_routes_prefer_literals_then_parameters_then_greedy() -> None:
    gateway = _gateway(
        ("/orders/{proxy+}", "ANY"),
        ("/orders/{id}", "GET"),
        ("/orders/recent", "GET"),
        ("/orders/{id}/payments", "GET"),
        ("/orders", "POST"),
    )

    def resource(method: str, path: str) -> tuple[str, dict[str, str]] | None:
        found = gateway.find(method, path)
        return (found[0].resource, found[1]) if found else None

    assert resource("GET", "/orders/recent") == ("/orders/recent", {})
    assert resource("GET", "/orders/order_1") == ("/orders/{id}", {"id": "order_1"})
    assert resource("GET", "/orders/order_1/payments") == ("/orders/{id}/payments", {"id": "order_1"})
    assert resource("GET", "/orders/a/b/c") == ("/orders/{proxy+}", {"proxy": "a/b/c"})
    assert resource("POST", "/orders") == ("/orders", {})
    assert resource("POST", "/orders/") == ("/orders", {})
    assert resource("GET", "/orders") is None  # resource exists without GET: API Gateway answers 403
    assert resource("GET", "/other") is None


def test_intrinsics_resolve_like_cloudformation() -> None:
    resolver = Resolver(
        ref=lambda name: {"Table": "app-table", "AWS::Region": "eu-west-1", "Stage": "prod"}[name],
        get_att=lambda logical_id, attr: f"arn:{logical_id}:{attr}",
        conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        mappings={"Sizes": {"prod": {"Memory": 1024}}},
        region="eu-west-1",
    )
    assert (
        resolver.resolve({"Fn::Sub": "${Table}-${AWS::Region}-${!Literal}"})
        == "app-table-eu-west-1-${Literal}"
    )
    assert (
        resolver.resolve({"Fn::Sub": ["${X}/${Queue.Arn}", {"X": {"Ref": "Table"}}]})
        == "app-table/arn:Queue:Arn"
    )
    assert resolver.resolve({"Fn::Join": [",", ["a", {"Ref": "Table"}]]}) == "a,app-table"
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": ["/", "x/y/z"]}]}) == "y"
    assert resolver.resolve({"Fn::If": ["IsProd", "big", "small"]}) == "big"
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 1024
    assert resolver.resolve({"Fn::Base64": "hi"}) == "aGk="
    assert resolver.resolve({"A": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, 1]}, "B": 2}) == {"B": 2}
